using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Grpc.Net.Client;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.Tap;
using Mesh.Telemetry;
using Mesh.Testing.Grpc;
using Mesh.Testing.Grpc.Protos;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// The caller's verified identity reaches the application in mesh-client-id, and no other value does: a caller's own
/// mesh-client-id is removed, from plaintext callers too. With an identity, inbound metrics carry tls and client_id, the
/// span and the tap the caller. Under Tls=Strict a plaintext caller is refused. Mutual TLS and plaintext on the same
/// inbound port.
/// </summary>
public sealed class InboundCallerTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();
    private readonly ConcurrentQueue<(string Protocol, string? ClientId, string? OriginalProtocol, string Body)> _seen = new();

    public void Dispose() => _domain.Dispose();

    private Task<TestBackend> StartAppAsync() => TestBackend.StartAsync(async context =>
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        _seen.Enqueue((context.Request.Protocol, context.Request.Headers["mesh-client-id"].FirstOrDefault(), context.Request.Headers["mesh-orig-proto"].FirstOrDefault(), body));
        await context.Response.WriteAsync("app");
    });

    private Task<Sidecar> StartCalleeAsync(TestBackend app, params string[] args) =>
        Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url), [.. _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args, .. args]);

    [Fact]
    public async Task ASpoofedClientId_FromAPlaintextCaller_NeverReachesTheApplication()
    {
        await using var app = await StartAppAsync();

        // With no identity at all, and with one.
        await using var plain = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url));
        await using var meshed = await StartCalleeAsync(app);
        foreach (var sidecar in new[] { plain, meshed })
        {
            var response = await RawHttp.SendAsync(sidecar.InboundPort, "GET / HTTP/1.1\r\nHost: orders\r\nmesh-client-id: spiffe://example.org/ns/shop/sa/admin\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, RawHttp.Status(response));
        }

        Assert.Equal(2, _seen.Count);
        Assert.All(_seen, s => Assert.Null(s.ClientId));
    }

    [Fact]
    public async Task AMutualTlsCaller_IsNamedToTheApplication_InMetrics_TheSpan_AndTheTap()
    {
        await using var app = await StartAppAsync();
        await using var callee = await StartCalleeAsync(app);
        using var requests = new MetricCollector<long>(callee.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.Requests);
        using var tap = callee.Services.GetRequiredService<MeshTap>().Subscribe(new TapQuery { Direction = "inbound", Rate = 1000 });
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static s => s.Name == MeshInstruments.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        string? serverId = null;
        using var web = MtlsClient.Create(_domain, _domain.Issue("/ns/shop/sa/web"), id => serverId = id);

        var request = new HttpRequestMessage(HttpMethod.Post, $"https://127.0.0.1:{callee.InboundPort}/orders") { Content = new StringContent("posted") };
        request.Headers.TryAddWithoutValidation("mesh-client-id", "spiffe://example.org/ns/shop/sa/admin");
        using var response = await web.SendAsync(request);
        var plaintext = await RawHttp.SendAsync(callee.InboundPort, "GET / HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");

        // The sidecar proved its own identity; the application saw the caller's, not the one it claimed.
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(200, RawHttp.Status(plaintext));
        Assert.Equal("spiffe://example.org/ns/shop/sa/orders", serverId);
        Assert.Equal([("HTTP/1.1", "spiffe://example.org/ns/shop/sa/web", null, "posted"), ("HTTP/1.1", null, null, "")], _seen.ToArray());

        var inbound = requests.GetMeasurementSnapshot().Where(m => (string?)m.Tags[MeshInstruments.DirectionTag] == "inbound").ToList();
        Assert.Equal(2, inbound.Count);
        Assert.Equal("true", inbound[0].Tags[MeshInstruments.TlsTag]);
        Assert.Equal("spiffe://example.org/ns/shop/sa/web", inbound[0].Tags[MeshInstruments.ClientIdTag]);
        Assert.Equal("false", inbound[1].Tags[MeshInstruments.TlsTag]);
        Assert.False(inbound[1].Tags.ContainsKey(MeshInstruments.ClientIdTag));

        var tapped = await tap.Events.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(true, tapped.Tls);
        Assert.Equal("spiffe://example.org/ns/shop/sa/web", tapped.ClientId);
        Assert.Contains(spans, s => s.OperationName == "mesh.request" && (string?)s.GetTagItem(MeshInstruments.ClientIdTag) == "spiffe://example.org/ns/shop/sa/web" && (bool?)s.GetTagItem(MeshInstruments.TlsTag) == true);
    }

    [Fact]
    public async Task AnHttp1Call_CrossesTwoSidecarsAsHttp2OverMutualTls_AndReachesTheApplicationAsHttp1()
    {
        await using var app = await StartAppAsync();
        await using var callee = await StartCalleeAsync(app);
        await using var caller = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [$"http://127.0.0.1:{callee.InboundPort}"] }, """{ "orders": { "Identity": "spiffe://example.org/ns/shop/sa/orders" } }"""),
            _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args);
        using var client = caller.OutboundClient("orders");

        using var response = await client.PostAsync("/orders", new StringContent("an order", Encoding.UTF8));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("app", await response.Content.ReadAsStringAsync());
        Assert.Equal([("HTTP/1.1", "spiffe://example.org/ns/shop/sa/web", null, "an order")], _seen.ToArray());
    }

    [Fact]
    public async Task AGrpcCall_CrossesTwoSidecarsOverMutualTls_AndReachesTheApplicationAsHttp2()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var callee = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: backend.Url), _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args);
        await using var caller = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [$"http://127.0.0.1:{callee.InboundPort}"] }, """{ "echo": { "Identity": "spiffe://example.org/ns/shop/sa/orders" } }"""),
            _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args);
        using var channel = OutboundGrpc.Channel(caller);

        var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "across" });

        Assert.Equal("across", reply.Text);
        Assert.Equal("HTTP/2", reply.Protocol);
    }

    [Fact]
    public async Task Strict_RefusesPlaintextAndCallersWithoutACertificate_ServesMutualTls()
    {
        await using var app = await StartAppAsync();
        await using var callee = await StartCalleeAsync(app, "--Mesh:Proxy:Inbound:Tls=Strict");
        using var refused = new MetricCollector<long>(callee.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.InboundRefused);
        using var anonymous = MtlsClient.Create(_domain, null);
        using var web = MtlsClient.Create(_domain, _domain.Issue("/ns/shop/sa/web"));

        // A plaintext caller's connection is closed with no answer at all, before anything of it is parsed: bytes that
        // are no HTTP get no 400 either (Permissive answers them 400 bad request).
        Assert.Equal("", await RawHttp.SendAsync(callee.InboundPort, "GET / HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n"));
        Assert.Equal("", await RawHttp.SendAsync(callee.InboundPort, "\u0001\u0002 no HTTP at all\r\n\r\n"));
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync($"https://127.0.0.1:{callee.InboundPort}/"));
        using var served = await web.GetAsync($"https://127.0.0.1:{callee.InboundPort}/");

        Assert.Equal(200, (int)served.StatusCode);
        Assert.Single(_seen);
        var refusals = refused.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags[MeshInstruments.RefusalReasonTag]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(2, refusals["plaintext"]);

        // The certificate-less TLS caller fails its handshake (HttpClient tries it more than once).
        Assert.True(refusals["no_certificate"] >= 1);
        Assert.Equal(["no_certificate", "plaintext"], refusals.Keys.Order());
    }

    [Fact]
    public async Task Permissive_ServesATlsCallerWithoutACertificate_Unnamed()
    {
        await using var app = await StartAppAsync();
        await using var callee = await StartCalleeAsync(app);
        using var anonymous = MtlsClient.Create(_domain, null);

        using var response = await anonymous.GetAsync($"https://127.0.0.1:{callee.InboundPort}/");
        var notHttp = await RawHttp.SendAsync(callee.InboundPort, "\u0001\u0002 no HTTP at all\r\n\r\n");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Null(Assert.Single(_seen).ClientId);
        Assert.Equal(400, RawHttp.Status(notHttp));
    }

    [Theory]
    [InlineData("--Mesh:Proxy:Inbound:Tls=Mutual", "Mesh:Proxy:Inbound:Tls must be Permissive or Strict, was 'Mutual'")]
    [InlineData("--Mesh:Proxy:Inbound:Tls=Strict", "Mesh:Proxy:Inbound:Tls=Strict needs the sidecar's own identity to present: set Mesh:Identity:CertificateFile, KeyFile and TrustBundleFile")]
    public void TlsSetting_IsValidated(string arg, string error)
    {
        var refused = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build([.. SidecarProcess.FreePorts, arg]));
        Assert.Equal([error], refused.Errors);
    }

    [Fact]
    public void Strict_RefusesTheCleartextHttp2Listener()
    {
        var refused = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build(
            [.. SidecarProcess.FreePorts, .. _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args, "--Mesh:Proxy:Inbound:Tls=Strict", "--Mesh:Proxy:Inbound:ListenHttp2=127.0.0.1:0"]));
        Assert.Equal(["Mesh:Proxy:Inbound:ListenHttp2 must be empty when Mesh:Proxy:Inbound:Tls is Strict: it serves cleartext HTTP/2, and Strict serves mutual TLS only (the inbound port takes gRPC over mutual TLS), was '127.0.0.1:0'"], refused.Errors);
    }
}
