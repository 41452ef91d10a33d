using System.ComponentModel;
using System.Diagnostics;

namespace Mesh.Cli.Interception;

/// <summary>Runs one iptables binary, no shell in between (arguments as a list), feeding it stdin and returning its stdout.</summary>
internal static class IptablesProcess
{
    /// <summary>Longer than any restore takes; only a guard against a binary waiting forever (on the xtables lock, say).</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <exception cref="IptablesException">The binary could not be started, did not finish, or exited with an error.</exception>
    public static async Task<string> RunAsync(string path, IReadOnlyList<string> args, string? input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var command = string.Join(' ', [Path.GetFileName(path), .. args]);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new IptablesException($"cannot run {path}: {ex.Message}");
        }

        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), limit.Token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new IptablesException($"{command} did not finish within {Limit.TotalSeconds:0} s");
        }
        catch (IOException ex)
        {
            // It exited before reading all of stdin: its stderr says why, below.
            await process.WaitForExitAsync(CancellationToken.None);
            if (process.ExitCode == 0)
            {
                throw new IptablesException($"{command} stopped reading its input: {ex.Message}");
            }
        }

        if (process.ExitCode != 0)
        {
            throw new IptablesException($"{command} failed (exit {process.ExitCode}): {OneLine(await error)}");
        }

        return await output;
    }

    // iptables-restore says "iptables-restore v1.8.9 (nf_tables): \nline 4: CHAIN_DEL failed ...": one line of it.
    private static string OneLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no error output" : string.Join(' ', lines);
    }
}
