using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

public class UnknownHostOptInTests
{
    [Fact]
    public async Task AllowUnknownHosts_ForwardsToTheNamedHostAndPort()
    {
        await using var backend = await TestBackend.StartAsync();
        var json = Sidecar.Json(new Dictionary<string, string[]>())
            .Replace("\"Outbound\": { \"Listen\": \"127.0.0.1:0\",", "\"Outbound\": { \"AllowUnknownHosts\": true, \"Listen\": \"127.0.0.1:0\",", StringComparison.Ordinal);
        await using var sidecar = await Sidecar.StartAsync(json);
        var authority = new Uri(backend.Url).Authority;

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, $"GET /work HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal(1, backend.Requests);
    }
}
