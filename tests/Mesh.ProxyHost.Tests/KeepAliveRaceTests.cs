namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Backends that close idle connections after 2 s, each called for a minute about when its close comes, GET and a large
/// POST in turn, through the sidecar: no call meets a connection its server is closing, and each POST is processed once.
/// Each backend sits behind a relay that delays the close by 40 ms on its way to the sidecar, as a network between two
/// hosts does (on loopback it arrives at once, and the race is too narrow to meet): a call sent in those 40 ms goes on a
/// connection its server has closed. Three servers: one that closes at 2 s sharp and says nothing of it (Go's net/http
/// does that), where the default Upstream:IdleTimeout (1.5 s) is what keeps the sidecar under the close (with a minute,
/// as before, 9 of its 15 POSTs failed); Kestrel, which closes 2 to 3 s after (its heartbeat ticks once a second); and
/// Node, which says "Keep-Alive: timeout=2", honoured even with the service's idle timeout set to a minute.
/// </summary>
public class KeepAliveRaceTests
{
    [Fact]
    public async Task BackendsClosingIdleConnectionsAfter2s_CalledAsTheyClose_FailNothing_AndProcessEachPostOnce()
    {
        await using var backends = await KeepAliveRace.Backends.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(
            backends.Urls.ToDictionary(b => b.Key, b => new[] { b.Value }),
            """{ "node": { "Upstream": { "IdleTimeout": "00:01:00" } } }"""));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        var failures = await KeepAliveRace.RunAgainstAsync((service, method, id) =>
        {
            var request = KeepAliveRace.Request(method, new Uri(sidecar.Outbound, "/work"), id);
            request.Headers.Host = service;
            return client.SendAsync(request);
        });

        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n{string.Join("\n", failures)}");
        await backends.AssertEachPostProcessedOnceAsync();
    }
}
