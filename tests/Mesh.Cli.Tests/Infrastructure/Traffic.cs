namespace Mesh.Cli.Tests.Infrastructure;

/// <summary>Sends requests through the sidecar, one after another, so what the sidecar saw is known.</summary>
public static class Traffic
{
    public static async Task SendAsync(HttpClient client, string path, int count, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(path, cancellationToken);
        }
    }

    public static Uri Endpoint(TestBackend backend) => new(backend.Url);

    /// <summary>The endpoint's name as the admin endpoint shows it: host:port.</summary>
    public static string Name(TestBackend backend) => Endpoint(backend).Authority;
}
