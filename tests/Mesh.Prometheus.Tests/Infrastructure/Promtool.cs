using System.Diagnostics;

namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>Runs Debian's promtool (package prometheus) with arguments and, optionally, text on its standard input.</summary>
public static class Promtool
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}: {Output}";
    }

    public static async Task<Result> RunAsync(IEnumerable<string> args, string? input = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("promtool", args)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("promtool is not installed (Debian package prometheus; test.sh installs it).", e);
        }

        using var _ = process;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(limit.Token);
        return new Result(process.ExitCode, (await output + await error).Trim());
    }
}
