using System.Diagnostics;

namespace Mesh.Testing;

/// <summary>Runs a program written by others (curl, Debian's python3 with grpcio) as a test's client.</summary>
public static class ExternalProcess
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>; returns its stdout, or fails the test (with its stderr) if it exits non-zero.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(file)} exited {process.ExitCode}: {await errors}");
        return await output;
    }
}
