using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Text;
using Mesh.Client.Tests.Infrastructure;
using Mesh.Tap;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Client.Tests;

/// <summary>
/// .NET's ClientWebSocket connecting through <c>AddMeshClient</c>'s handler (an <see cref="HttpMessageInvoker"/>) to a
/// real Kestrel echo server: the session goes through Mesh's pipeline and is measured until it closes.
/// </summary>
public class WebSocketTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ASession_IsMeasuredUntilItCloses_ItsLengthAndItsBytes_InMetricsAndTheTap()
    {
        await using var backend = await WebSocketEcho.StartAsync();
        var time = new FakeTimeProvider();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [backend]), s => s.AddSingleton<TimeProvider>(time));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meters, "Mesh", "mesh.requests");
        using var durations = new MetricCollector<double>(meters, "Mesh", "mesh.request.duration");
        using var sent = new MetricCollector<long>(meters, "Mesh", "mesh.request.bytes");
        using var received = new MetricCollector<long>(meters, "Mesh", "mesh.response.bytes");
        using var tap = host.Services.GetRequiredService<MeshTap>().Subscribe(new TapQuery());
        using var invoker = new HttpMessageInvoker(host.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler("orders"));
        using var ws = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Timeout);

        await ws.ConnectAsync(new Uri("ws://orders/chat"), invoker, timeout.Token);
        time.Advance(TimeSpan.FromMinutes(3));
        var message = Encoding.UTF8.GetBytes(new string('m', 100));
        await ws.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var echo = new byte[200];
        var result = await ws.ReceiveAsync(echo, timeout.Token);
        Assert.Equal(message, echo.AsSpan(0, result.Count).ToArray());

        // Open: nothing recorded yet (before, a 101 "lasting" under a millisecond was recorded at once).
        Assert.Empty(requests.GetMeasurementSnapshot());
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        ws.Dispose();

        // The client's 100-byte frame (2 + 4 bytes of header and mask) and close (6 + 2 + 3), the echo (2) and the server's close (2 + 2 + 3).
        var tapped = await tap.Events.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(101, tapped.Status);
        Assert.Equal("/chat", tapped.Path);
        Assert.Equal(180_000, tapped.DurationMs);
        Assert.Equal(106 + 11, tapped.RequestBytes);
        Assert.Equal(102 + 7, tapped.ResponseBytes);
        var request = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(101, request.Tags["http.response.status_code"]);
        Assert.Equal("success", request.Tags["mesh.classification"]);
        Assert.Equal(180, Assert.Single(durations.GetMeasurementSnapshot()).Value);
        Assert.Equal(106 + 11, Assert.Single(sent.GetMeasurementSnapshot()).Value);
        Assert.Equal(102 + 7, Assert.Single(received.GetMeasurementSnapshot()).Value);
    }
}
