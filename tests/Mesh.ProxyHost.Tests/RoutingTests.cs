using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

public class RoutingTests
{
    [Fact]
    public async Task HostHeader_RoutesToTheService()
    {
        await using var orders = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [orders.Url] }));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /work HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal(1, orders.Requests);
    }

    [Fact]
    public async Task AbsoluteFormTarget_RoutesToTheService_AsThroughAnHttpProxy()
    {
        await using var orders = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [orders.Url] }));
        using var client = new HttpClient(new HttpClientHandler { Proxy = new System.Net.WebProxy(sidecar.Outbound), UseProxy = true });

        using var response = await client.GetAsync("http://orders/work");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(1, orders.Requests);
    }

    [Fact]
    public async Task UnknownHost_IsRefusedWithItsName_AndNeverForwarded()
    {
        await using var orders = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [orders.Url] }));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, $"GET http://127.0.0.1:{new Uri(orders.Url).Port}/work HTTP/1.1\r\nHost: 127.0.0.1:{new Uri(orders.Url).Port}\r\nConnection: close\r\n\r\n");
        var byHost = await RawHttp.SendAsync(sidecar.OutboundPort, "GET / HTTP/1.1\r\nHost: billing\r\nConnection: close\r\n\r\n");

        Assert.Equal(404, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: unknown-service", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("unknown service 'billing'", byHost, StringComparison.Ordinal);
        Assert.Equal(0, orders.Requests);
    }

    [Fact]
    public async Task Connect_IsRefused()
    {
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()));
        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        Assert.InRange(RawHttp.Status(response), 400, 499);
    }

    [Fact]
    public async Task RequestLoopingBackIntoTheSidecar_IsRefused()
    {
        // A service whose endpoint is the sidecar's own outbound listener: the second pass carries this sidecar's hop id.
        var port = FreePort.Get();
        var json = Sidecar.Json(new Dictionary<string, string[]> { ["loop"] = [$"http://127.0.0.1:{port}"] }).Replace("\"Listen\": \"127.0.0.1:0\", \"ListenHttp2\"", $"\"Listen\": \"127.0.0.1:{port}\", \"ListenHttp2\"", StringComparison.Ordinal);
        await using var sidecar = await Sidecar.StartAsync(json);

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET / HTTP/1.1\r\nHost: loop\r\nConnection: close\r\n\r\n");

        Assert.Equal(508, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: loop", response, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ForwardedHeaders_AreSet_HopByHopDropped_TraceparentPropagated()
    {
        var seen = new Dictionary<string, string>();
        await using var orders = await TestBackend.StartAsync(ctx =>
        {
            foreach (var header in ctx.Request.Headers)
            {
                seen[header.Key.ToLowerInvariant()] = header.Value.ToString();
            }

            return Task.CompletedTask;
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [orders.Url] }));
        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var response = await RawHttp.SendAsync(
            sidecar.OutboundPort,
            "GET /work HTTP/1.1\r\nHost: orders\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: close\r\nKeep-Alive: timeout=5\r\n" +
            $"traceparent: {traceparent}\r\n\r\n");

        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal("127.0.0.1", seen["x-forwarded-for"]);
        Assert.Equal("orders", seen["x-forwarded-host"]);
        Assert.Equal("http", seen["x-forwarded-proto"]);
        Assert.DoesNotContain("keep-alive", seen.Keys);
        Assert.Contains("0af7651916cd43dd8448eb211c80319c", seen["traceparent"], StringComparison.Ordinal);
        Assert.True(seen.ContainsKey("mesh-hop"));
    }
}
