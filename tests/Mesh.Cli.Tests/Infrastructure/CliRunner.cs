namespace Mesh.Cli.Tests.Infrastructure;

/// <summary>What one in-process run of <c>mesh</c> printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs <see cref="CliApp.RunAsync"/> in-process, capturing stdout and stderr.</summary>
public static class CliRunner
{
    // Only a guard against a hung test; nothing asserts on time.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    public static Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync("", args);

    /// <summary>Runs <c>mesh ARGS</c> with <paramref name="stdin"/> as its standard input (what <c>-</c> reads).</summary>
    public static async Task<CliResult> RunWithInputAsync(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var guard = new CancellationTokenSource(HangGuard);
        var exitCode = await CliApp.RunAsync(args, input, stdout, stderr, guard.Token);
        Assert.False(guard.IsCancellationRequested, $"mesh {string.Join(' ', args)} did not finish");
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}
