using System.Diagnostics.Metrics;
using System.Text;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.Tap;
using Mesh.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// A meshed service (Mesh:Services:{s}:Identity, or Mesh:Identity:DefaultServiceIdentity) is called over mutual TLS 1.3
/// with the sidecar's certificate, as HTTP/2 (ALPN h2) whatever the application spoke; the endpoint's certificate must
/// chain to the trust bundle and prove the expected SPIFFE ID, or the endpoint is refused before anything is sent, as
/// identity_mismatch in the metrics and the tap and 502 mesh-proxy-error: identity-mismatch to the caller. The endpoint
/// is a stand-in for a peer sidecar: Kestrel over TLS requiring a client certificate of the trust domain.
/// </summary>
public sealed class OutboundMtlsTests : IDisposable
{
    private const string Orders = "spiffe://example.org/ns/shop/sa/orders";
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    private Task<Sidecar> StartSidecarAsync(string endpoint, string meshServices, params string[] args) =>
        Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [endpoint] }, meshServices),
            [.. _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args, .. args]);

    [Fact]
    public async Task AMeshedService_IsCalledOverMutualTls_AsHttp2_WithTheSidecarsIdentity_TheRequestUnchanged()
    {
        await using var backend = await MtlsBackend.StartAsync(_domain, _domain.Issue("/ns/shop/sa/orders"));
        await using var sidecar = await StartSidecarAsync(backend.Url, $$"""{ "orders": { "Identity": "{{Orders}}" } }""");
        using var client = sidecar.OutboundClient("orders");

        using var get = await client.GetAsync("/items?x=1");
        using var post = await client.PostAsync("/items", new StringContent("a body of forty-two bytes, sent as given.", Encoding.UTF8, "text/plain"));
        for (var i = 0; i < 18; i++)
        {
            using var again = await client.GetAsync($"/items/{i}");
            Assert.Equal(200, (int)again.StatusCode);
        }

        Assert.Equal("served GET /items", await get.Content.ReadAsStringAsync());
        Assert.Equal(200, (int)post.StatusCode);
        var seen = backend.Requests.ToArray();
        Assert.Equal(20, seen.Length);
        Assert.All(seen, r => Assert.Equal("HTTP/2", r.Protocol));
        Assert.All(seen, r => Assert.Equal("spiffe://example.org/ns/shop/sa/web", r.ClientId));
        Assert.All(seen, r => Assert.Equal("HTTP/1.1", r.Headers["mesh-orig-proto"].ToString()));
        Assert.Equal("/items?x=1", seen[0].Path);
        Assert.Equal("POST", seen[1].Method);
        Assert.Equal("a body of forty-two bytes, sent as given.", Encoding.UTF8.GetString(seen[1].Body));
        Assert.Equal("text/plain; charset=utf-8", seen[1].Headers.ContentType.ToString());

        // Twenty requests in a row, one connection: pooled and multiplexed, one handshake.
        Assert.Single(seen.Select(r => r.ConnectionId).Distinct());
        Assert.Single(backend.HandshakeSerials);
    }

    [Theory]
    [InlineData("spiffe://example.org/ns/shop/sa/payments")]
    [InlineData("spiffe://other.org/*")]
    [InlineData("spiffe://example.org/ns/billing/*")]
    public async Task AnEndpointProvingAnotherIdentity_IsRefused_AsIdentityMismatch_NothingSent(string expected)
    {
        await using var backend = await MtlsBackend.StartAsync(_domain, _domain.Issue("/ns/shop/sa/orders"));
        await using var sidecar = await StartSidecarAsync(backend.Url, $$"""{ "orders": { "Identity": "{{expected}}" } }""");
        using var attempts = new MetricCollector<long>(sidecar.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.Attempts);
        using var tap = sidecar.Services.GetRequiredService<MeshTap>().Subscribe(new TapQuery { Service = "orders", Rate = 1000 });
        using var client = sidecar.OutboundClient("orders");

        using var response = await client.GetAsync("/items");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("identity-mismatch", response.Headers.GetValues("mesh-proxy-error").Single());
        Assert.Contains("did not prove the identity it expects", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(backend.Requests);

        // Each attempt (the first and its two retries, all refused) is counted as such, and the tap says so.
        var measured = attempts.GetMeasurementSnapshot();
        Assert.Equal(3, measured.Count);
        Assert.All(measured, m => Assert.Equal("identity_mismatch", m.Tags[MeshInstruments.ErrorTypeTag]));
        var tapped = await tap.Events.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("failure", tapped.Classification);
        Assert.All(tapped.Attempts, a => Assert.Equal("identity_mismatch", a.Outcome));
    }

    [Fact]
    public async Task AnEndpointOfAnotherTrustDomain_IsRefused_ItsChainIsNotTrusted()
    {
        // Same SPIFFE ID, but signed by a CA the sidecar's trust bundle does not hold.
        using var other = TrustDomain.Create("example.org");
        await using var backend = await MtlsBackend.StartAsync(_domain, other.Issue("/ns/shop/sa/orders"));
        await using var sidecar = await StartSidecarAsync(backend.Url, $$"""{ "orders": { "Identity": "{{Orders}}" } }""");
        using var client = sidecar.OutboundClient("orders");

        using var response = await client.GetAsync("/items");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("identity-mismatch", response.Headers.GetValues("mesh-proxy-error").Single());
        Assert.Empty(backend.Requests);
    }

    [Fact]
    public async Task AMeshedConnection_OutlivesUpstreamIdleTimeoutsDefault_LowRateCallsShareOneHandshake()
    {
        await using var backend = await MtlsBackend.StartAsync(_domain, _domain.Issue("/ns/shop/sa/orders"));
        await using var sidecar = await StartSidecarAsync(backend.Url, $$"""{ "orders": { "Identity": "{{Orders}}" } }""");
        using var client = sidecar.OutboundClient("orders");

        // Further apart than Upstream:IdleTimeout's default (1.5 s, for application servers' HTTP/1.1 keep-alive): a peer
        // sidecar's connection is kept 90 s, so the second call goes on the first one's connection.
        using var first = await client.GetAsync("/first");
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var second = await client.GetAsync("/second");

        Assert.Equal(200, (int)second.StatusCode);
        Assert.Single(backend.HandshakeSerials);
        Assert.Single(backend.Requests.Select(r => r.ConnectionId).Distinct());
    }

    [Fact]
    public async Task TheDefaultIdentity_MeshesEveryService_WithItsName_UnlessItSaysNone()
    {
        await using var meshed = await MtlsBackend.StartAsync(_domain, _domain.Issue("/ns/shop/sa/orders"));
        await using var plain = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [meshed.Url], ["legacy"] = [plain.Url] }, """{ "legacy": { "Identity": "none" } }"""),
            [.. _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args, "--Mesh:Identity:DefaultServiceIdentity=spiffe://example.org/ns/shop/sa/{service}"]);

        using var orders = await sidecar.OutboundClient("orders").GetAsync("/");
        using var legacy = await sidecar.OutboundClient("legacy").GetAsync("/");

        Assert.Equal(200, (int)orders.StatusCode);
        Assert.Equal("HTTP/2", Assert.Single(meshed.Requests).Protocol);
        Assert.Equal(200, (int)legacy.StatusCode);
        Assert.Equal(1, plain.Requests);
    }
}
