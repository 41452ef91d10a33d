using System.Diagnostics;

namespace Mesh.MultiHost.Tests.Infrastructure;

/// <summary>Runs a command to completion (no shell), with a time limit, returning its exit code and output.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Ok => ExitCode == 0;
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file, args)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Result(-1, await output, $"timed out after {timeout ?? TimeSpan.FromSeconds(30)}: {await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs <c>ip ARGS</c> and throws with its error output when it fails.</summary>
    public static async Task IpAsync(params string[] args)
    {
        var result = await RunAsync("ip", args);
        if (!result.Ok)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({result.ExitCode}): {result.Error.Trim()}");
        }
    }
}
