using System.Diagnostics;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// Node's undici from the npm registry, installed once per test run into a temporary folder. 7.x: the newest line that
/// runs on Debian's Node 20 (8.x needs Node 22's zstd).
/// </summary>
public static class Undici
{
    public const string Version = "7.30.3";

    private static readonly Lazy<Task<string>> Installed = new(InstallOnceAsync);

    /// <summary>Installs undici (once) and returns its node_modules folder, for NODE_PATH.</summary>
    public static Task<string> InstallAsync() => Installed.Value;

    private static async Task<string> InstallOnceAsync()
    {
        var folder = Directory.CreateTempSubdirectory("mesh-undici-").FullName;
        var start = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in new[] { "install", "--no-audit", "--no-fund", "--no-save", "--prefix", folder, $"undici@{Version}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, $"npm install undici@{Version} failed: {await output} {await errors}");
        return Path.Combine(folder, "node_modules");
    }
}
