using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.Telemetry;
using Mesh.Testing.Grpc;
using Mesh.Testing.Grpc.Protos;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.ProxyHost.Tests.Authorization;

/// <summary>
/// Inbound authorization end to end: callers over mutual TLS and in plaintext on the inbound port, rules by path, port
/// and client identity; a denied request gets 403 mesh-proxy-error:
/// unauthorized (gRPC: PERMISSION_DENIED) and never reaches the application; every decision is counted; rules reload
/// under load without failing an allowed caller.
/// </summary>
public sealed class InboundAuthorizationTests : IDisposable
{
    private const string Rules = """
        "Authorization": {
          "Default": "Authenticated",
          "Rules": {
            "admin": { "PathPrefix": "/admin", "Clients": [ "spiffe://example.org/ns/ops/*" ] },
            "health": { "PathPrefix": "/health", "AllowUnauthenticated": true }
          }
        }
        """;

    private const string GrpcRule = """
        "Authorization": { "Rules": { "echo": { "PathPrefix": "/mesh.tests.Echo", "Clients": [ "spiffe://example.org/ns/ops/*" ] } } }
        """;

    private readonly TrustDomain _domain = TrustDomain.Create();
    private readonly ConcurrentQueue<(string Path, string? ClientId)> _seen = new();

    public void Dispose() => _domain.Dispose();

    private static string Json(string appUrl, string authorization) =>
        Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: appUrl)
            .Replace($"\"Target\": \"{appUrl}\" }}", $"\"Target\": \"{appUrl}\", {authorization} }}", StringComparison.Ordinal);

    private async Task<(Sidecar Sidecar, TestBackend App)> StartAsync(string authorization)
    {
        var app = await TestBackend.StartAsync(context =>
        {
            _seen.Enqueue((context.Request.Path.Value!, context.Request.Headers["mesh-client-id"].FirstOrDefault()));
            return context.Response.WriteAsync("app");
        });
        var sidecar = await Sidecar.StartAsync(Json(app.Url, authorization), _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args);
        return (sidecar, app);
    }

    [Fact]
    public async Task Decisions_AllowTheRightCallers_DenyTheOthersWith403_AndAreCountedExactly()
    {
        var (sidecar, app) = await StartAsync(Rules);
        await using var _ = app;
        await using var __ = sidecar;
        using var decisions = new MetricCollector<long>(sidecar.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.InboundAuthorizations);
        using var errors = new MetricCollector<long>(sidecar.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.ProxyErrors);
        using var web = MtlsClient.Create(_domain, _domain.Issue("/ns/shop/sa/web"));
        using var ops = MtlsClient.Create(_domain, _domain.Issue("/ns/ops/sa/console"));
        using var plain = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var tls = $"https://127.0.0.1:{sidecar.InboundPort}";
        var plaintext = $"http://127.0.0.1:{sidecar.InboundPort}";
        var calls = new (HttpClient Client, string Url, int Status)[]
        {
            (web, $"{tls}/orders", 200),
            (web, $"{tls}/admin/users", 403),
            (ops, $"{tls}/admin/users", 200),
            (plain, $"{plaintext}/orders", 403),
            (plain, $"{plaintext}/health", 200),
        };

        for (var round = 0; round < 100; round++)
        {
            foreach (var (client, url, status) in calls)
            {
                using var response = await client.GetAsync(url);
                Assert.Equal(status, (int)response.StatusCode);
                if (status == 403)
                {
                    Assert.Equal("unauthorized", response.Headers.GetValues("mesh-proxy-error").Single());
                }
            }
        }

        // The application saw exactly the 300 allowed calls, each with the caller's identity; no denied one.
        Assert.Equal(300, _seen.Count);
        Assert.Equal(100, _seen.Count(s => s is ("/orders", "spiffe://example.org/ns/shop/sa/web")));
        Assert.Equal(100, _seen.Count(s => s is ("/admin/users", "spiffe://example.org/ns/ops/sa/console")));
        Assert.Equal(100, _seen.Count(s => s is ("/health", null)));

        var counted = decisions.GetMeasurementSnapshot()
            .GroupBy(m => ((string)m.Tags[MeshInstruments.AuthorizationDecisionTag]!, (string)m.Tags[MeshInstruments.AuthorizationRuleTag]!))
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(
            new Dictionary<(string, string), long>
            {
                [("allow", "default")] = 100,
                [("deny", "admin")] = 100,
                [("allow", "admin")] = 100,
                [("deny", "default")] = 100,
                [("allow", "health")] = 100,
            },
            counted);
        Assert.Equal(200, errors.GetMeasurementSnapshot().Where(m => (string?)m.Tags[MeshInstruments.ProxyErrorTag] == "unauthorized").Sum(m => m.Value));
    }

    [Fact]
    public async Task APortRule_CoversTheApplicationsPort_NotTheListenersOne()
    {
        var app = await TestBackend.StartAsync(context =>
        {
            _seen.Enqueue((context.Request.Path.Value!, context.Request.Headers["mesh-client-id"].FirstOrDefault()));
            return context.Response.WriteAsync("app");
        });
        await using var _ = app;
        var appPort = new Uri(app.Url).Port;
        var rule = $$"""
            "Authorization": { "Rules": { "app": { "Port": {{appPort}}, "Clients": [ "spiffe://example.org/ns/ops/*" ] } } }
            """;
        await using var sidecar = await Sidecar.StartAsync(Json(app.Url, rule), _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args);
        using var ops = MtlsClient.Create(_domain, _domain.Issue("/ns/ops/sa/console"));
        using var plain = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        // Requests to the inbound listener go to the application's port (Inbound:Target's): the rule for it decides.
        using var denied = await plain.GetAsync($"http://127.0.0.1:{sidecar.InboundPort}/orders");
        using var allowed = await ops.GetAsync($"https://127.0.0.1:{sidecar.InboundPort}/orders");

        // A rule for the listener's own port covers nothing: no request is for it.
        var listenerRule = rule.Replace($"\"Port\": {appPort}", $"\"Port\": {sidecar.InboundPort}", StringComparison.Ordinal);
        await sidecar.RewriteConfigAsync(Json(app.Url, listenerRule));
        await Eventually.TrueAsync(async () => (int)(await plain.GetAsync($"http://127.0.0.1:{sidecar.InboundPort}/orders")).StatusCode == 200, "the listener's port covers nothing", 1200);

        Assert.Equal(403, (int)denied.StatusCode);
        Assert.Equal(200, (int)allowed.StatusCode);
        Assert.Equal(("/orders", "spiffe://example.org/ns/ops/sa/console"), _seen.First());
    }

    [Fact]
    public async Task ADeniedGrpcCall_GetsPermissionDenied()
    {
        await using var backend = await GrpcBackend.StartAsync();
        var json = Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: backend.Url)
            .Replace("\"Inbound\": { \"Listen\": \"127.0.0.1:0\",", "\"Inbound\": { \"Listen\": \"127.0.0.1:0\", " + GrpcRule + ",", StringComparison.Ordinal);
        await using var sidecar = await Sidecar.StartAsync(json, _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args);
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{sidecar.InboundPort}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = [_domain.Issue("/ns/shop/sa/web")],
                    RemoteCertificateValidationCallback = static (_, _, _, _) => true,
                },
            },
        });

        var denied = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "x" }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("the client 'spiffe://example.org/ns/shop/sa/web' is not allowed", denied.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesReloaded_UnderLoad_FailNoAllowedCaller_AndApplyFromTheNextRequest()
    {
        var (sidecar, app) = await StartAsync(Rules);
        await using var _ = app;
        await using var __ = sidecar;
        using var web = MtlsClient.Create(_domain, _domain.Issue("/ns/shop/sa/web"));
        var tls = $"https://127.0.0.1:{sidecar.InboundPort}";
        var failures = 0;
        var sent = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await web.GetAsync($"{tls}/orders");
                Interlocked.Increment(ref sent);
                if ((int)response.StatusCode != 200)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        // web may not use /admin; a reload lets it, another takes it back, while its /orders calls flow.
        Assert.Equal(403, (int)(await web.GetAsync($"{tls}/admin")).StatusCode);
        await sidecar.RewriteConfigAsync(Json(app.Url, Rules.Replace("\"spiffe://example.org/ns/ops/*\"", "\"spiffe://example.org/ns/ops/*\", \"spiffe://example.org/ns/shop/sa/web\"", StringComparison.Ordinal)));
        await Eventually.TrueAsync(async () => (int)(await web.GetAsync($"{tls}/admin")).StatusCode == 200, "the reloaded rule lets web in", 1200);
        await sidecar.RewriteConfigAsync(Json(app.Url, Rules));
        await Eventually.TrueAsync(async () => (int)(await web.GetAsync($"{tls}/admin")).StatusCode == 403, "the rule is taken back", 1200);
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref sent) >= 500), "500 calls");

        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.Equal(0, failures);
    }
}
