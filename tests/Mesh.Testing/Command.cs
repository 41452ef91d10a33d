using System.Diagnostics;

namespace Mesh.Testing;

/// <summary>
/// Runs a program to completion (no shell) with a time limit. The child gets the test's environment without the
/// MSBuild variables `dotnet test` leaves in it, so a `dotnet` it runs behaves as it does in a terminal.
/// </summary>
public static class Command
{
    public sealed record Result(string What, int ExitCode, string Output, string Error, TimeSpan Took)
    {
        public Result EnsureSuccess() =>
            ExitCode == 0 ? this : throw new InvalidOperationException($"`{What}` exited {ExitCode} after {Took.TotalSeconds:F0} s:\n{Output}\n{Error}");
    }

    /// <summary>The dotnet host running the tests (DOTNET_HOST_PATH, set by the SDK), else the one on PATH.</summary>
    public static string Dotnet { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static Task<Result> DotnetAsync(IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        RunAsync(Dotnet, args, workingDirectory, environment, timeout);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = StartInfo(file, args, workingDirectory, environment);
        var what = $"{Path.GetFileName(file)} {string.Join(' ', start.ArgumentList)}";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{what} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        using var bound = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"`{what}` did not finish within {limit}:\n{await output}\n{await error}");
        }

        return new Result(what, process.ExitCode, await output, await error, clock.Elapsed);
    }

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in start.Environment.Keys.Where(static k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
