namespace Mesh.Testing;

/// <summary>Debian's curl, the HTTP client most callers of a sidecar reach for first.</summary>
public static class Curl
{
    /// <summary>Runs <c>curl</c> with <paramref name="arguments"/> and returns what it wrote on stdout.</summary>
    public static Task<string> RunAsync(params string[] arguments) => ExternalProcess.RunAsync("curl", arguments, TimeSpan.FromSeconds(120));

    /// <summary>
    /// Sends <paramref name="count"/> GETs of <paramref name="path"/> with <c>Host: service</c> to the sidecar listening on
    /// <paramref name="port"/>, one after another on one connection, and returns the status of each in order.
    /// </summary>
    public static async Task<int[]> StatusesAsync(int port, string service, string path, int count)
    {
        var output = await RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code}\n", "-H", $"Host: {service}", $"http://127.0.0.1:{port}{path}?n=[1-{count}]");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }
}
