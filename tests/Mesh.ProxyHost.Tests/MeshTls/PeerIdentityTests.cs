using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// Both ends of mutual TLS check the other, on real sidecars: the callee's inbound port refuses a client certificate its
/// trust bundle does not sign (another trust domain, or a same-named certificate from another anchor), in Permissive
/// too, counted as untrusted_certificate; the caller refuses a callee that proves another SPIFFE ID than the service
/// expects, as identity_mismatch (502), before a byte of the request is sent. The application sees none of them.
/// </summary>
public sealed class PeerIdentityTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();
    private readonly ConcurrentQueue<string?> _seen = new();

    public void Dispose() => _domain.Dispose();

    private Task<TestBackend> StartAppAsync() => TestBackend.StartAsync(context =>
    {
        _seen.Enqueue(context.Request.Headers["mesh-client-id"].FirstOrDefault());
        return context.Response.WriteAsync("app");
    });

    [Fact]
    public async Task ClientCertificatesTheBundleDoesNotSign_AreRefusedAtTheHandshake_InPermissiveToo()
    {
        await using var app = await StartAppAsync();
        await using var callee = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url), _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args);
        using var refused = new MetricCollector<long>(callee.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.InboundRefused);
        using var otherDomain = TrustDomain.Create("other.org");
        using var impostor = TrustDomain.Create();
        using var web = MtlsClient.Create(_domain, _domain.Issue("/ns/shop/sa/web"));
        var url = $"https://127.0.0.1:{callee.InboundPort}/";

        foreach (var certificate in new[] { otherDomain.Issue("/ns/shop/sa/web"), impostor.Issue("/ns/shop/sa/web") })
        {
            using var client = MtlsClient.Create(_domain, certificate);
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(url));
        }

        using var served = await web.GetAsync(url);

        Assert.Equal(200, (int)served.StatusCode);
        Assert.Equal(["spiffe://example.org/ns/shop/sa/web"], _seen);
        var reasons = refused.GetMeasurementSnapshot().Select(m => (string)m.Tags[MeshInstruments.RefusalReasonTag]!).Distinct();
        Assert.Equal(["untrusted_certificate"], reasons);
    }

    [Theory]
    [InlineData("spiffe://example.org/ns/shop/sa/orders")]
    [InlineData("spiffe://other.org/*")]
    public async Task ACalleeProvingAnotherIdentity_IsRefusedByTheCaller_NothingSent(string expected)
    {
        await using var app = await StartAppAsync();
        await using var callee = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url), _domain.Write("payments", _domain.Issue("/ns/shop/sa/payments")).Args);
        await using var caller = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [$"http://127.0.0.1:{callee.InboundPort}"] }, $$"""{ "orders": { "Identity": "{{expected}}" } }"""),
            _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args);
        using var attempts = new MetricCollector<long>(caller.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.Attempts);
        using var client = caller.OutboundClient("orders");

        using var response = await client.GetAsync("/orders");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("identity-mismatch", response.Headers.GetValues("mesh-proxy-error").Single());
        Assert.Empty(_seen);
        Assert.All(attempts.GetMeasurementSnapshot(), m => Assert.Equal("identity_mismatch", m.Tags["error.type"]));
        Assert.NotEmpty(attempts.GetMeasurementSnapshot());
    }
}
