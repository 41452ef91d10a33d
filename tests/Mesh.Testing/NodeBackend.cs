using System.Diagnostics;
using System.Text.Json;

namespace Mesh.Testing;

/// <summary>
/// A real Node.js http server (Node/keepalive-server.js) with a short keep-alive timeout, the kind of backend whose idle
/// close races a proxy's reuse of its connection. Stops when disposed (its stdin closes). Null when node is not installed.
/// </summary>
public sealed class NodeBackend : IAsyncDisposable
{
    private readonly Process _process;

    private NodeBackend(Process process, int port)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    public static async Task<NodeBackend?> StartAsync(TimeSpan keepAlive)
    {
        var node = new[] { "/usr/bin/node", "/usr/local/bin/node" }.FirstOrDefault(File.Exists);
        if (node is null)
        {
            return null;
        }

        var start = new ProcessStartInfo(node)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Node", "keepalive-server.js"));
        start.ArgumentList.Add(((int)keepAlive.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = Process.Start(start)!;
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(ready.Token);
        return new NodeBackend(process, int.Parse(line!, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Gets how many distinct POSTs (by x-request-id) the server processed, and how many of them more than once.</summary>
    public async Task<(int Posts, int Duplicates)> PostsAsync()
    {
        using var client = new HttpClient();
        using var json = JsonDocument.Parse(await client.GetStringAsync($"{Url}/posts"));
        return (json.RootElement.GetProperty("posts").GetInt32(), json.RootElement.GetProperty("duplicates").GetInt32());
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
