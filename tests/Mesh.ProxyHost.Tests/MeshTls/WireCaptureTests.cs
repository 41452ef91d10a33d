using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// What crosses the wire between two sidecars, recorded by a TCP relay between them: a marker sent in an HTTP request
/// body and echoed in the response, and one sent in opaque TCP and echoed back, never appear in the bytes with mutual
/// TLS, and do with TLS off (the same test class, so the check can fail; with TLS off the callee's inbound port does not
/// forward plaintext opaque TCP it was not sent by interception, but the marker has crossed the wire by then). The
/// callee's application listens on 127.0.0.1:P and the relay on 127.0.0.2:P, in front of the callee's inbound port, as
/// the pod address in front of an intercepting sidecar: the caller's endpoints are 127.0.0.2:P, and its opaque TCP names
/// port P to the callee in the transport header.
/// </summary>
public sealed class WireCaptureTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();
    private readonly string _marker = $"mesh-wire-marker-{Guid.NewGuid():N}";

    // One marker, told apart by what carried it: the HTTP body, or the opaque TCP bytes.
    private string HttpMarker => $"{_marker}-http";

    private string TcpMarker => $"{_marker}-tcp";

    public void Dispose() => _domain.Dispose();

    [Fact]
    public async Task WithMutualTls_TheMarkerNeverCrossesTheWire_InHttpOrOpaqueTcp()
    {
        var run = await RunAsync(mutualTls: true);

        Assert.Equal(200, run.HttpStatus);
        Assert.Equal($"echo {HttpMarker}", run.HttpBody);
        Assert.Equal(run.TcpSent, run.TcpEchoed);
        Assert.True(run.Requests.Length > 0 && run.Responses.Length > 0);
        Assert.DoesNotContain(_marker, Encoding.Latin1.GetString(run.Requests), StringComparison.Ordinal);
        Assert.DoesNotContain(_marker, Encoding.Latin1.GetString(run.Responses), StringComparison.Ordinal);
        Assert.DoesNotContain(HttpMarker, Encoding.Latin1.GetString(run.Requests), StringComparison.Ordinal);
        Assert.DoesNotContain(TcpMarker, Encoding.Latin1.GetString(run.Requests), StringComparison.Ordinal);

        // The callee served both over mutual TLS, naming the caller: HTTP as tls=true, the TCP as a peer's (mtls).
        Assert.Equal("true", run.InboundTls);
        Assert.Equal("spiffe://example.org/ns/shop/sa/web", run.InboundClientId);
        Assert.Equal("mtls", run.InboundTcpDetection);
    }

    [Fact]
    public async Task WithTlsOff_TheMarkerIsOnTheWire_BothWays()
    {
        var run = await RunAsync(mutualTls: false);

        Assert.Equal(200, run.HttpStatus);
        Assert.Equal($"echo {HttpMarker}", run.HttpBody);
        Assert.Contains(HttpMarker, Encoding.Latin1.GetString(run.Requests), StringComparison.Ordinal);
        Assert.Contains(HttpMarker, Encoding.Latin1.GetString(run.Responses), StringComparison.Ordinal);
        Assert.Contains(TcpMarker, Encoding.Latin1.GetString(run.Requests), StringComparison.Ordinal);
    }

    private async Task<Run> RunAsync(bool mutualTls)
    {
        await using var app = await TestBackend.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync($"echo {await reader.ReadToEndAsync()}");
        });
        using var echo = TcpEchoServer.Start();
        await using var callee = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url),
            mutualTls ? _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args : []);
        await using var relay = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, callee.InboundPort), listen: new IPEndPoint(IPAddress.Parse("127.0.0.2"), echo.Port), record: true);
        var endpoint = $"http://127.0.0.2:{echo.Port}";
        var meshed = mutualTls
            ? """{ "orders": { "Identity": "spiffe://example.org/ns/shop/sa/orders" }, "blobs": { "Identity": "spiffe://example.org/ns/shop/sa/orders" } }"""
            : "{}";
        await using var caller = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [endpoint], ["blobs"] = [endpoint] }, meshed),
            mutualTls ? _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args : []);
        using var requests = new MetricCollector<long>(callee.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.Requests);
        using var tcp = new MetricCollector<long>(callee.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.TcpConnections);

        using var client = caller.OutboundClient("orders");
        using var response = await client.PostAsync("/orders", new StringContent(HttpMarker));
        var body = await response.Content.ReadAsStringAsync();

        // Opaque TCP to service blobs, through a CONNECT tunnel the caller's sidecar opens (its first byte is no HTTP);
        // the echo read back before closing (the recording relay does not half-close).
        byte[] sent = [0, .. Encoding.ASCII.GetBytes(TcpMarker)];
        using var tunnel = await ConnectTunnel.OpenAsync(caller.OutboundPort, $"blobs:{echo.Port}");
        Assert.Equal(200, tunnel.Status);
        await tunnel.Stream.WriteAsync(sent);
        var echoed = new byte[sent.Length];
        var read = mutualTls ? await tunnel.Stream.ReadAtLeastAsync(echoed, echoed.Length, throwOnEndOfStream: false) : 0;
        echoed = echoed[..read];
        if (!mutualTls)
        {
            // The callee's inbound port takes the bytes for bad HTTP, answers and closes: read to that end, so they have
            // crossed the relay before its capture is read.
            await DrainAsync(tunnel.Stream);
        }

        var inbound = requests.GetMeasurementSnapshot().Where(m => (string?)m.Tags[MeshInstruments.DirectionTag] == "inbound").ToList();
        var opened = tcp.GetMeasurementSnapshot().FirstOrDefault(m => (string?)m.Tags[MeshInstruments.TcpEventTag] == "open");
        return new Run(
            (int)response.StatusCode,
            body,
            sent,
            echoed,
            relay.Recorded(ToxicDirection.Upstream),
            relay.Recorded(ToxicDirection.Downstream),
            inbound.Count == 1 ? inbound[0].Tags.GetValueOrDefault(MeshInstruments.TlsTag) as string : null,
            inbound.Count == 1 ? inbound[0].Tags.GetValueOrDefault(MeshInstruments.ClientIdTag) as string : null,
            opened?.Tags.GetValueOrDefault(MeshInstruments.TcpDetectionTag) as string);
    }

    private static async Task DrainAsync(Stream stream)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, limit.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset: as finished.
        }
    }

    private sealed record Run(int HttpStatus, string HttpBody, byte[] TcpSent, byte[] TcpEchoed, byte[] Requests, byte[] Responses, string? InboundTls, string? InboundClientId, string? InboundTcpDetection);
}
