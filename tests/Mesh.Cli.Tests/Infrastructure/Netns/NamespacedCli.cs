using Mesh.MultiHost.Tests.Infrastructure;

namespace Mesh.Cli.Tests.Infrastructure.Netns;

/// <summary>
/// Runs <c>mesh</c> as a process inside a lab host's network namespace (<c>ip netns exec NS dotnet Mesh.Cli.dll …</c>):
/// iptables acts on the namespace it runs in, which an in-process run (<see cref="CliRunner"/>) cannot choose.
/// </summary>
public static class NamespacedCli
{
    /// <summary>The CLI built into this test's output folder by the project reference to Mesh.Cli.</summary>
    public static string Dll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Mesh.Cli.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("The CLI was not built next to the test", path);
        }
    }

    public static async Task<CliResult> RunAsync(NetworkLab lab, string host, params string[] args)
    {
        var result = await lab.ExecAsync(host, Command.Dotnet, [Dll, .. args], TimeSpan.FromSeconds(60));
        return new CliResult(result.ExitCode, result.Output, result.Error);
    }

    /// <summary>Runs <c>mesh ARGS</c> and fails the test, with what it printed, unless it exits 0.</summary>
    public static async Task<CliResult> RunOkAsync(NetworkLab lab, string host, params string[] args)
    {
        var result = await RunAsync(lab, host, args);
        Assert.True(result.ExitCode == 0, $"mesh {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Out}\n{result.Error}");
        return result;
    }
}
