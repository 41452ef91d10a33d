using System.Diagnostics.Metrics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Tap;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.ProxyHost.Tests;

/// <summary>WebSockets (HTTP/1.1 Upgrade) through the sidecar's outbound listener to a Kestrel echo backend.</summary>
public class WebSocketTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Messages_AreEchoed_ThenTheConnectionClosesCleanly()
    {
        await using var backend = await StartEchoBackendAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Host", "echo");
        ws.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(Timeout);

        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{sidecar.OutboundPort}/ws"), timeout.Token);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, ws.HttpStatusCode);

        var received = new List<string>();
        foreach (var text in new[] { "one", "two", "three" })
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var (type, data) = await ReceiveMessageAsync(ws, timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, type);
            received.Add(Encoding.UTF8.GetString(data));
        }

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Equal(["one", "two", "three"], received);
        Assert.Equal(WebSocketState.Closed, ws.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task LargeBinaryMessage_IsEchoedWhole_WhenTheClientNamesTheServiceInItsUrl()
    {
        // ws://echo/ws, connected to the sidecar: Host is the service, as for a client behind a local DNS name.
        await using var backend = await StartEchoBackendAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var ws = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(LoopbackConnect.Handler(sidecar.OutboundPort));
        using var timeout = new CancellationTokenSource(Timeout);
        var message = new byte[1024 * 1024];
        new Random(42).NextBytes(message);

        await ws.ConnectAsync(new Uri("ws://echo/ws"), invoker, timeout.Token);
        await ws.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
        var (type, data) = await ReceiveMessageAsync(ws, timeout.Token);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(message, data);
        Assert.Equal(WebSocketState.Closed, ws.State);
    }

    [Fact]
    public async Task CloseFromTheBackend_ReachesTheClient_WithItsStatusAndReason()
    {
        await using var backend = await TestBackend.StartAsync(
            async context =>
            {
                using var server = await context.WebSockets.AcceptWebSocketAsync();
                await server.CloseOutputAsync((WebSocketCloseStatus)4000, "bye", CancellationToken.None);
                await server.ReceiveAsync(new byte[16], CancellationToken.None);
            },
            app => app.UseWebSockets());
        await using var sidecar = await StartSidecarAsync(backend);
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Host", "echo");
        using var timeout = new CancellationTokenSource(Timeout);

        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{sidecar.OutboundPort}/ws"), timeout.Token);
        var result = await ws.ReceiveAsync(new byte[16], timeout.Token);
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal((WebSocketCloseStatus)4000, ws.CloseStatus);
        Assert.Equal("bye", ws.CloseStatusDescription);
    }

    [Fact]
    public async Task ASession_IsMeasuredUntilItCloses_ItsLengthAndItsBytes_InMetricsAndTheTap()
    {
        // The sidecar's clock is faked: the session lasts exactly the 42 s the test lets pass while it is open.
        var time = new FakeTimeProvider();
        await using var backend = await StartEchoBackendAsync();
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] }),
            services => services.AddSingleton<TimeProvider>(time));
        var meters = sidecar.Services.GetRequiredService<IMeterFactory>();
        using var durations = new MetricCollector<double>(meters, "Mesh", "mesh.request.duration");
        using var sent = new MetricCollector<long>(meters, "Mesh", "mesh.request.bytes");
        using var received = new MetricCollector<long>(meters, "Mesh", "mesh.response.bytes");
        using var tap = sidecar.Services.GetRequiredService<MeshTap>().Subscribe(new TapQuery { Service = "echo" });
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Host", "echo");
        using var timeout = new CancellationTokenSource(Timeout);

        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{sidecar.OutboundPort}/ws"), timeout.Token);
        time.Advance(TimeSpan.FromSeconds(42));
        foreach (var text in new[] { new string('a', 1000), new string('b', 1000), new string('c', 1000) })
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            Assert.Equal(text, Encoding.UTF8.GetString((await ReceiveMessageAsync(ws, timeout.Token)).Data));
        }

        Assert.Empty(durations.GetMeasurementSnapshot());
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        // Recorded when the connection closed: one request, 101, lasting the session, with the frames' bytes each way:
        // the client's three masked 1,000-byte frames (8 bytes of header each) and its close (12), the echoes (4 bytes of
        // header each) and the server's close (8).
        var tapped = await tap.Events.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(101, tapped.Status);
        Assert.Equal(42_000, tapped.DurationMs);
        Assert.Equal((3 * 1008) + 12, tapped.RequestBytes);
        Assert.Equal((3 * 1004) + 8, tapped.ResponseBytes);
        var duration = Assert.Single(durations.GetMeasurementSnapshot());
        Assert.Equal(42, duration.Value);
        Assert.Equal(101, duration.Tags["http.response.status_code"]);
        Assert.Equal((3 * 1008) + 12, Assert.Single(sent.GetMeasurementSnapshot()).Value);
        Assert.Equal((3 * 1004) + 8, Assert.Single(received.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task ThroughTheProxySetting_TunnelsWithConnect_ToTheService()
    {
        // ClientWebSocket sends ws:// through an HTTP proxy as a CONNECT tunnel: to a configured service, the sidecar
        // opens it and detects HTTP/1.1 inside, so the upgrade reaches the service as with Host (it was refused, 405,
        // before the sidecar took CONNECT).
        await using var backend = await StartEchoBackendAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var ws = new ClientWebSocket();
        ws.Options.Proxy = new WebProxy(sidecar.Outbound);
        using var timeout = new CancellationTokenSource(Timeout);

        await ws.ConnectAsync(new Uri("ws://echo/ws"), timeout.Token);
        await ws.SendAsync("through the tunnel"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var (type, data) = await ReceiveMessageAsync(ws, timeout.Token);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);

        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal("through the tunnel", System.Text.Encoding.UTF8.GetString(data));
        Assert.Equal(1, backend.Requests);
    }

    private static Task<TestBackend> StartEchoBackendAsync() => WebSocketEcho.StartAsync();

    private static Task<Sidecar> StartSidecarAsync(TestBackend backend) =>
        Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] }));

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(WebSocket ws, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
