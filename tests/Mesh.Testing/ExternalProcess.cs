namespace Mesh.Testing;

/// <summary>Runs a program written by others (curl, Debian's python3 with grpcio) as a test's client.</summary>
public static class ExternalProcess
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> (<see cref="Command.RunAsync"/>: killed after
    /// <paramref name="timeout"/>, 60 s unless given); returns its stdout, or fails the test (with its stderr) if it exits
    /// non-zero.
    /// </summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var result = await Command.RunAsync(file, arguments, Environment.CurrentDirectory, timeout: timeout ?? TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"{Path.GetFileName(file)} exited {result.ExitCode}: {result.Error}");
        return result.Output;
    }
}
