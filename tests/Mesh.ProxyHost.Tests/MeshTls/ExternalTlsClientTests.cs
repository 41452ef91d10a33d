using System.Collections.Concurrent;
using Mesh.MultiHost.Tests.Infrastructure;
using Mesh.ProxyHost.Testing.Identity;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// Clients written by others against the sidecar's inbound port: openssl s_client sees the sidecar's SPIFFE
/// certificate, TLS 1.3 and ALPN h2, verified against the trust bundle; curl with --cert/--key is named to the
/// application, without a certificate it is served unnamed (Permissive) or refused (Strict), as is plaintext curl;
/// openssl s_client without a certificate gets no answer in Strict. curl skips the host name
/// check (-k: an X.509-SVID names a workload by URI, not by DNS name or address). curl chooses HTTP/2 by ALPN; the
/// application gets its calls as HTTP/1.1.
/// </summary>
public sealed class ExternalTlsClientTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();
    private readonly ConcurrentQueue<string?> _clientIds = new();

    public void Dispose() => _domain.Dispose();

    private async Task<(Sidecar Sidecar, TestBackend App)> StartAsync(params string[] args)
    {
        var app = await TestBackend.StartAsync(context =>
        {
            _clientIds.Enqueue(context.Request.Headers["mesh-client-id"].FirstOrDefault());
            return context.Response.WriteAsync("app");
        });
        var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url), [.. _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args, .. args]);
        return (sidecar, app);
    }

    [Fact]
    public async Task OpenSsl_SeesTheSidecarsSpiffeCertificate_Tls13_AndH2()
    {
        var (sidecar, app) = await StartAsync();
        await using var _ = app;
        await using var __ = sidecar;
        var web = _domain.Write("web", _domain.Issue("/ns/shop/sa/web"));

        var result = await Shell.RunAsync("sh", ["-c", $"openssl s_client -connect 127.0.0.1:{sidecar.InboundPort} -cert {web.Certificate} -key {web.Key} -CAfile {web.TrustBundle} -alpn h2 </dev/null 2>&1"], TimeSpan.FromSeconds(30));

        Assert.Contains("New, TLSv1.3, Cipher is", result.Output, StringComparison.Ordinal);
        Assert.Contains("ALPN protocol: h2", result.Output, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", result.Output, StringComparison.Ordinal);

        var text = await Shell.RunAsync("sh", ["-c", $"openssl s_client -connect 127.0.0.1:{sidecar.InboundPort} -cert {web.Certificate} -key {web.Key} </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName"], TimeSpan.FromSeconds(30));
        Assert.Contains("URI:spiffe://example.org/ns/shop/sa/orders", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_WithACertificate_IsNamed_WithoutOne_ServedUnnamedInPermissive()
    {
        var (sidecar, app) = await StartAsync();
        await using var _ = app;
        await using var __ = sidecar;
        var web = _domain.Write("web", _domain.Issue("/ns/shop/sa/web"));
        var url = $"https://127.0.0.1:{sidecar.InboundPort}/";

        var named = await Shell.RunAsync("curl", ["-sS", "-k", "--cert", web.Certificate, "--key", web.Key, "-H", "mesh-client-id: spiffe://example.org/ns/shop/sa/admin", url]);
        var anonymous = await Shell.RunAsync("curl", ["-sS", "-k", url]);
        var plaintext = await Shell.RunAsync("curl", ["-sS", "-H", "mesh-client-id: spiffe://example.org/ns/shop/sa/admin", $"http://127.0.0.1:{sidecar.InboundPort}/"]);

        Assert.True(named.Ok, named.Error);
        Assert.Equal("app", named.Output);
        Assert.True(anonymous.Ok, anonymous.Error);
        Assert.True(plaintext.Ok, plaintext.Error);
        Assert.Equal("app", plaintext.Output);
        Assert.Equal(new[] { "spiffe://example.org/ns/shop/sa/web", null, null }, _clientIds.ToArray());
    }

    [Fact]
    public async Task Curl_WithoutACertificate_IsRefusedInStrict()
    {
        var (sidecar, app) = await StartAsync("--Mesh:Proxy:Inbound:Tls=Strict");
        await using var _ = app;
        await using var __ = sidecar;
        var web = _domain.Write("web", _domain.Issue("/ns/shop/sa/web"));
        var url = $"https://127.0.0.1:{sidecar.InboundPort}/";

        var anonymous = await Shell.RunAsync("curl", ["-sS", "-k", url]);
        var plaintext = await Shell.RunAsync("curl", ["-sS", $"http://127.0.0.1:{sidecar.InboundPort}/"]);
        var named = await Shell.RunAsync("curl", ["-sS", "-k", "--cert", web.Certificate, "--key", web.Key, url]);
        var noCertificate = await Shell.RunAsync("sh", ["-c", $"printf 'GET / HTTP/1.1\\r\\nHost: orders\\r\\n\\r\\n' | openssl s_client -connect 127.0.0.1:{sidecar.InboundPort} -CAfile {web.TrustBundle} -quiet 2>&1"], TimeSpan.FromSeconds(30));

        // Without a certificate curl fails with no answer: the connection ends after its side of the TLS 1.3 handshake; in
        // plaintext, it is closed unanswered (curl's exit code, 18, 52 or 56, depends on when the close reaches it).
        Assert.False(anonymous.Ok);
        Assert.Equal("", anonymous.Output);
        Assert.False(plaintext.Ok);
        Assert.Equal("", plaintext.Output);

        // TLS 1.3 checks the client's certificate after the client's side of the handshake is over: openssl sends its
        // request, and reads the end of the connection instead of an answer.
        Assert.Contains("unexpected eof while reading", noCertificate.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1", noCertificate.Output, StringComparison.Ordinal);
        Assert.True(named.Ok, named.Error);
        Assert.Equal(new string?[] { "spiffe://example.org/ns/shop/sa/web" }, _clientIds.ToArray());
    }
}
