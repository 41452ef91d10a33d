using System.Diagnostics;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>The sidecar's binary (Mesh.ProxyHost.dll, or the NativeAOT executable) running in a process of its own, for what depends on the process: its entry point's settings, its threads, its build.</summary>
public sealed class RunningSidecar : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;

    private RunningSidecar(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEndAsync();
    }

    /// <summary>
    /// Starts the sidecar with <paramref name="args"/> and waits until its admin port (<paramref name="adminPort"/>) says
    /// it is ready; <paramref name="customize"/> may change how the process is started (environment, runtime settings);
    /// <paramref name="executable"/> names a native build to run instead of the JIT one.
    /// </summary>
    public static async Task<RunningSidecar> StartAsync(IEnumerable<string> args, int adminPort, Action<ProcessStartInfo>? customize = null, string? executable = null)
    {
        var start = SidecarProcess.StartInfo(args, executable: executable);

        // The sidecar decides for itself, as in production: whatever the test process was started with does not leak in.
        start.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS");
        start.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT");
        start.Environment.Remove("DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION");
        customize?.Invoke(start);
        var sidecar = new RunningSidecar(Process.Start(start)!);
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(sidecar._process.HasExited, $"the sidecar exited with {(sidecar._process.HasExited ? sidecar._process.ExitCode : 0)}: {(sidecar._process.HasExited ? await sidecar._output : "")}");
            try
            {
                return (await admin.GetAsync($"http://127.0.0.1:{adminPort}/ready")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the sidecar is ready");
        return sidecar;
    }

    /// <summary>
    /// The arguments of a sidecar with only its outbound HTTP/1.1 listener (on <paramref name="outbound"/>) and its admin
    /// port (on <paramref name="admin"/>), its configuration not watched; the test adds its services.
    /// </summary>
    public static string[] OutboundOnly(int outbound, int admin) =>
    [
        $"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{outbound}",
        "--Mesh:Proxy:Outbound:ListenHttp2=",
        "--Mesh:Proxy:Inbound:Listen=",
        $"--Mesh:Admin:Listen=127.0.0.1:{admin}",
        "--hostBuilder:reloadConfigOnChange=false",
    ];

    /// <summary>The process's threads named <paramref name="name"/> (Linux: /proc/pid/task/*/comm, at most 15 characters).</summary>
    public int Threads(string name) =>
        Directory.EnumerateDirectories($"/proc/{_process.Id}/task").Count(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
