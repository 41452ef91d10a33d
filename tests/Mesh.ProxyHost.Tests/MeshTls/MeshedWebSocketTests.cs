using System.Net;
using System.Net.WebSockets;
using System.Text;
using Mesh.ProxyHost.Testing.Identity;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// A WebSocket (HTTP/1.1 Upgrade from the application) to a meshed service goes over the mutual TLS connection as an
/// HTTP/2 extended CONNECT (RFC 8441), which YARP makes when the request is sent as HTTP/2, and echoes as before.
/// </summary>
public sealed class MeshedWebSocketTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    [Fact]
    public async Task AWebSocket_ToAMeshedService_Echoes()
    {
        await using var backend = await MtlsBackend.StartAsync(_domain, _domain.Issue("/ns/shop/sa/orders"), async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, context.RequestAborted);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", context.RequestAborted);
        });
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }, """{ "orders": { "Identity": "spiffe://example.org/ns/shop/sa/orders" } }"""),
            _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args);
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Host", "orders");
        ws.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{sidecar.OutboundPort}/ws"), timeout.Token);
        await ws.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1024];
        var result = await ws.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, ws.HttpStatusCode);
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, result.Count));
        Assert.Equal("HTTP/2", Assert.Single(backend.Requests).Protocol);
    }
}
