using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// Opaque TCP between two sidecars over mutual TLS: the caller's sidecar dials the meshed service's endpoint
/// (127.0.0.2:P, where the callee's inbound port listens, as a pod address in front of an intercepting sidecar) and names
/// port P in the transport header; the callee forwards to 127.0.0.1:P, where the application listens, once authorization
/// allows the caller TCP to that port. Bytes both ways, with half-close through the TLS (close_notify, then FIN).
/// </summary>
public sealed class MeshedOpaqueTcpTests : IDisposable
{
    private const int Size = 256 * 1024;
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    [Fact]
    public async Task AnAllowedCaller_ExchangesBytesBothWaysWithHalfClose_ADeniedOne_IsResetAndCounted()
    {
        using var server = TcpBlobServer.Start(Size);
        var port = server.Port;
        var rules = $$"""
            "Authorization": { "Default": "Deny", "Rules": { "blobs": { "Port": {{port}}, "Clients": [ "spiffe://example.org/ns/shop/sa/web" ] } } }
            """;
        var json = Sidecar.Json(new Dictionary<string, string[]>())
            .Replace("\"Inbound\": { \"Listen\": \"127.0.0.1:0\",", $"\"Inbound\": {{ \"Listen\": \"127.0.0.2:{port}\", {rules},", StringComparison.Ordinal);
        await using var callee = await Sidecar.StartAsync(json, _domain.Write("blobs", _domain.Issue("/ns/shop/sa/blobs")).Args);
        using var decisions = new MetricCollector<long>(callee.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.InboundAuthorizations);
        using var refused = new MetricCollector<long>(callee.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.InboundRefused);
        var meshed = """{ "blobs": { "Identity": "spiffe://example.org/ns/shop/sa/blobs" } }""";
        var endpoints = new Dictionary<string, string[]> { ["blobs"] = [$"http://127.0.0.2:{port}"] };
        await using var web = await Sidecar.StartAsync(Sidecar.Json(endpoints, meshed), _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args);
        await using var batch = await Sidecar.StartAsync(Sidecar.Json(endpoints, meshed), _domain.Write("batch", _domain.Issue("/ns/shop/sa/batch")).Args);
        var upload = new byte[Size];
        new Random(5).NextBytes(upload);
        upload[0] = 0;

        // web: the server reads to the client's FIN while sending its own bytes, then answers with the hash of what it
        // read: the FIN crossed the TLS, and the answer came back after it.
        using var allowed = await ConnectTunnel.OpenAsync(web.OutboundPort, $"blobs:{port}");
        var received = await TcpBlobServer.ExchangeAsync(allowed.Stream, upload, allowed.ShutdownSend);
        Assert.Equal(Size + 32, received.Length);
        Assert.Equal(server.Blob, received[..Size]);
        Assert.Equal(SHA256.HashData(upload), received[Size..]);

        // batch: its sidecar's tunnel opens, but the callee resets the connection: nothing comes back.
        using var denied = await ConnectTunnel.OpenAsync(batch.OutboundPort, $"blobs:{port}");
        Assert.Equal(200, denied.Status);
        var nothing = await ExchangeOrBrokenAsync(denied, upload);

        Assert.Empty(nothing);
        Assert.Equal(1, server.Connections);
        var counted = decisions.GetMeasurementSnapshot().Select(m => ((string)m.Tags[MeshInstruments.AuthorizationDecisionTag]!, (string)m.Tags[MeshInstruments.AuthorizationRuleTag]!)).Order().ToArray();
        Assert.Equal([("allow", "blobs"), ("deny", "blobs")], counted);
        var refusal = Assert.Single(refused.GetMeasurementSnapshot());
        Assert.Equal("unauthorized", refusal.Tags[MeshInstruments.RefusalReasonTag]);
    }

    private static async Task<byte[]> ExchangeOrBrokenAsync(ConnectTunnel tunnel, byte[] upload)
    {
        try
        {
            return await TcpBlobServer.ExchangeAsync(tunnel.Stream, upload, tunnel.ShutdownSend);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
