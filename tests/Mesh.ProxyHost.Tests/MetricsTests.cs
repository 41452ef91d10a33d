using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>The admin listener: Prometheus metrics for both directions, health, and nothing else.</summary>
/// <remarks>
/// Serial: each sidecar's OpenTelemetry exporter listens to every meter named "Mesh" in the process, so a sidecar of a
/// test running alongside could put its inbound traffic into this one's /metrics (one sidecar per process in production).
/// </remarks>
[Collection(SerialCollection.Name)]
public class MetricsTests
{
    private static async Task<int> StatusAsync(Uri uri)
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync(uri);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task ResponsesTheSidecarMakesItself_AreCountedByListenerAndReason()
    {
        // Requests that never reach a service's pipeline show in mesh_proxy_errors_total with the reason of their
        // mesh-proxy-error header: here an unknown service (404) twice and a CONNECT (405).
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(404, RawHttp.Status(await RawHttp.SendAsync(sidecar.OutboundPort, "GET / HTTP/1.1\r\nHost: nowhere\r\nConnection: close\r\n\r\n")));
        }

        Assert.Equal(405, RawHttp.Status(await RawHttp.SendAsync(sidecar.OutboundPort, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n")));

        string[] lines = [];
        await Eventually.TrueAsync(
            async () =>
            {
                lines = [.. Scrape.Lines(await sidecar.GetAdminAsync("/metrics"), "mesh_proxy_errors_total{")];
                return lines.Length == 2;
            },
            "/metrics counts both kinds of sidecar error");
        Assert.Contains(lines, line => line.Contains("mesh_direction=\"outbound\"", StringComparison.Ordinal) && line.Contains("mesh_proxy_error=\"unknown-service\"", StringComparison.Ordinal) && line.EndsWith(" 2", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("mesh_proxy_error=\"connect-refused\"", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OutboundTraffic_ShowsInRequestsAndDuration_ByServiceAndDirection()
    {
        await using var orders = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [orders.Url] }));
        using var client = sidecar.OutboundClient("orders");
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/work");
            Assert.Equal(200, (int)response.StatusCode);
        }

        var text = await Scrape.WithRequestsAsync(sidecar, "mesh_service=\"orders\"", "mesh_direction=\"outbound\"");

        Assert.Contains(Scrape.Lines(text, "mesh_request_duration_seconds_bucket{"), line => line.Contains("mesh_service=\"orders\"", StringComparison.Ordinal));
        Assert.DoesNotContain(Scrape.Lines(text, "mesh_requests_total{"), line => line.Contains("mesh_direction=\"inbound\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InboundTraffic_ShowsWithDirectionInbound()
    {
        await using var app = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url));
        using var client = new HttpClient();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{sidecar.InboundPort}/work"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        var text = await Scrape.WithRequestsAsync(sidecar, "mesh_direction=\"inbound\"", "mesh_service=\"local\"");

        Assert.Equal(3, app.Requests);
        Assert.Contains(Scrape.Lines(text, "mesh_request_duration_seconds_bucket{"), line => line.Contains("mesh_direction=\"inbound\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadyAndLive_Answer200_AndUnknownPaths404_WithoutForwarding()
    {
        await using var orders = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [orders.Url] }));

        Assert.Equal(200, await StatusAsync(new Uri(sidecar.Admin, "/ready")));
        Assert.Equal(200, await StatusAsync(new Uri(sidecar.Admin, "/live")));
        Assert.Equal(404, await StatusAsync(new Uri(sidecar.Admin, "/nope")));

        // The admin listener never forwards, even a request naming a configured service.
        var byHost = await RawHttp.SendAsync(sidecar.AdminPort, "GET /work HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");
        Assert.Equal(404, RawHttp.Status(byHost));
        Assert.Equal(0, orders.Requests);
    }
}
