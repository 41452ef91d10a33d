using System.Net;
using Mesh.ProxyHost.Features;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Never an open proxy: whatever a caller names — an unknown host, an absolute-form URI, CONNECT, a link-local or
/// cloud-metadata address, a request that already passed through this sidecar — it gets a 4xx (or 508) from the
/// sidecar and the upstream connector is never called, so not even a TCP handshake leaves the machine. The counting
/// connector is proven live by a request to a known service, which it does connect.
/// </summary>
public class OpenProxyTests
{
    [Fact]
    public async Task RefusedTargets_NeverReachTheConnector_WhileAKnownServiceDoes()
    {
        await using var orders = await TestBackend.StartAsync();
        var connector = new CountingConnector();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [orders.Url] }), connector.Register);
        var live = new Uri(orders.Url).Authority; // a real server on loopback, just not a configured service
        var hop = sidecar.Services.GetRequiredService<SidecarIdentity>().Id;

        (string Case, string Request, int Status, string Reason)[] refused =
        [
            ("unknown host", "GET / HTTP/1.1\r\nHost: billing\r\n", 404, "unknown-service"),
            ("unknown host:port that is live", $"GET /work HTTP/1.1\r\nHost: {live}\r\n", 404, "unknown-service"),
            ("absolute-form to a live unknown host", $"GET http://{live}/work HTTP/1.1\r\nHost: {live}\r\n", 404, "unknown-service"),
            ("absolute-form to an unknown host, known service in Host", "GET http://evil.example/ HTTP/1.1\r\nHost: orders\r\n", 404, "unknown-service"),
            ("CONNECT to a live host", $"CONNECT {live} HTTP/1.1\r\nHost: {live}\r\n", 405, "connect-refused"),
            ("link-local metadata address", "GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n", 404, "unknown-service"),
            ("absolute-form to the metadata address", "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n", 404, "unknown-service"),
            ("IPv6 link-local", "GET / HTTP/1.1\r\nHost: [fe80::1]:80\r\n", 404, "unknown-service"),
            ("GCP metadata host", "GET /computeMetadata/v1/ HTTP/1.1\r\nHost: metadata.google.internal\r\n", 404, "unknown-service"),
            ("AWS IMDS over IPv6", "GET /latest/meta-data/ HTTP/1.1\r\nHost: [fd00:ec2::254]\r\n", 404, "unknown-service"),
            ("loop: already passed through this sidecar", $"GET / HTTP/1.1\r\nHost: orders\r\nmesh-hop: {hop}\r\n", 508, "loop"),
        ];

        foreach (var (name, request, status, reason) in refused)
        {
            var response = await RawHttp.SendAsync(sidecar.OutboundPort, request + "Connection: close\r\n\r\n");
            Assert.True(RawHttp.Status(response) == status, $"{name}: expected {status}, got: {response}");
            Assert.True(response.Contains($"mesh-proxy-error: {reason}", StringComparison.OrdinalIgnoreCase), $"{name}: expected reason {reason}, got: {response}");
        }

        // The same over the outbound cleartext HTTP/2 listener, where the service is the :authority.
        using (var h2 = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port)))
        {
            foreach (var uri in new[] { "http://billing/", $"http://{live}/work", "http://169.254.169.254/latest/meta-data/" })
            {
                using var response = await h2.SendAsync(new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact });
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"h2 {uri}: {(int)response.StatusCode}");
            }
        }

        Assert.True(connector.Calls == 0, $"the connector was asked for {string.Join(", ", connector.Targets)}");
        Assert.Equal(0, orders.Requests);

        // Control: a configured service is forwarded, through the counting connector.
        var control = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /work HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(control));
        Assert.Equal([live], connector.Targets);
        Assert.Equal(1, orders.Requests);
    }

    [Fact]
    public async Task WithUnknownHostsAllowed_LinkLocalConnectAndLoops_StillNeverReachTheConnector()
    {
        await using var backend = await TestBackend.StartAsync();
        var connector = new CountingConnector();
        var json = Sidecar.Json(new Dictionary<string, string[]>())
            .Replace("\"Outbound\": { \"Listen\": \"127.0.0.1:0\",", "\"Outbound\": { \"AllowUnknownHosts\": true, \"Listen\": \"127.0.0.1:0\",", StringComparison.Ordinal);
        Assert.Contains("\"AllowUnknownHosts\": true", json, StringComparison.Ordinal);
        await using var sidecar = await Sidecar.StartAsync(json, connector.Register);
        var live = new Uri(backend.Url).Authority;
        var hop = sidecar.Services.GetRequiredService<SidecarIdentity>().Id;

        (string Case, string Request, int Status, string Reason)[] refused =
        [
            ("metadata address", "GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n", 403, "forbidden-address"),
            ("metadata address with port", "GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254:80\r\n", 403, "forbidden-address"),
            ("absolute-form to the metadata address", "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n", 403, "forbidden-address"),
            ("absolute-form to the metadata address, live host in Host", $"GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: {live}\r\n", 403, "forbidden-address"),
            ("IPv4-mapped IPv6 metadata address", "GET / HTTP/1.1\r\nHost: [::ffff:169.254.169.254]\r\n", 403, "forbidden-address"),
            ("IPv6 link-local", "GET / HTTP/1.1\r\nHost: [fe80::1]:80\r\n", 403, "forbidden-address"),
            ("AWS IMDS over IPv6", "GET /latest/meta-data/ HTTP/1.1\r\nHost: [fd00:ec2::254]\r\n", 403, "forbidden-address"),
            ("Alibaba Cloud metadata", "GET /latest/meta-data/ HTTP/1.1\r\nHost: 100.100.100.200\r\n", 403, "forbidden-address"),
            ("unspecified address", "GET / HTTP/1.1\r\nHost: 0.0.0.0:80\r\n", 403, "forbidden-address"),
            ("CONNECT to a live host", $"CONNECT {live} HTTP/1.1\r\nHost: {live}\r\n", 405, "connect-refused"),
            ("loop: already passed through this sidecar", $"GET / HTTP/1.1\r\nHost: {live}\r\nmesh-hop: {hop}\r\n", 508, "loop"),
        ];

        foreach (var (name, request, status, reason) in refused)
        {
            var response = await RawHttp.SendAsync(sidecar.OutboundPort, request + "Connection: close\r\n\r\n");
            Assert.True(RawHttp.Status(response) == status, $"{name}: expected {status}, got: {response}");
            Assert.True(response.Contains($"mesh-proxy-error: {reason}", StringComparison.OrdinalIgnoreCase), $"{name}: expected reason {reason}, got: {response}");
        }

        Assert.True(connector.Calls == 0, $"the connector was asked for {string.Join(", ", connector.Targets)}");
        Assert.Equal(0, backend.Requests);

        // Control: an unknown host is forwarded when allowed, through the counting connector.
        var control = await RawHttp.SendAsync(sidecar.OutboundPort, $"GET /work HTTP/1.1\r\nHost: {live}\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(control));
        Assert.Equal([live], connector.Targets);
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task ServicePointingBackAtTheSidecar_IsRefusedOnTheSecondPass_AfterOneConnection()
    {
        // A loop can only be seen once it has happened: the first pass connects (to the sidecar itself) and carries
        // this sidecar's hop id; the second pass is refused, so the loop costs one connection, not an endless chain.
        var port = FreePort.Get();
        var connector = new CountingConnector();
        var json = Sidecar.Json(new Dictionary<string, string[]> { ["loop"] = [$"http://127.0.0.1:{port}"] })
            .Replace("\"Listen\": \"127.0.0.1:0\", \"ListenHttp2\"", $"\"Listen\": \"127.0.0.1:{port}\", \"ListenHttp2\"", StringComparison.Ordinal);
        await using var sidecar = await Sidecar.StartAsync(json, connector.Register);
        Assert.Equal(port, sidecar.OutboundPort);

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET / HTTP/1.1\r\nHost: loop\r\nConnection: close\r\n\r\n");

        Assert.Equal(508, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: loop", response, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([$"127.0.0.1:{port}"], connector.Targets);
    }
}
