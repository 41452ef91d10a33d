using System.Text.Json;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests;

/// <summary>A caller that gives up is felt upstream: the backend sees the abort, and nothing stays in flight.</summary>
public class CancellationTests
{
    private sealed class AbortRecorder
    {
        private int _started;
        private int _aborted;

        public int Started => Volatile.Read(ref _started);

        public int Aborted => Volatile.Read(ref _aborted);

        public RequestDelegate Handler => async ctx =>
        {
            Interlocked.Increment(ref _started);
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _aborted);
            }
        };
    }

    private static async Task<int> InFlightAsync(Sidecar sidecar)
    {
        using var stats = JsonDocument.Parse(await sidecar.GetAdminAsync("/stats"));
        return stats.RootElement.GetProperty("services").EnumerateArray()
            .SelectMany(s => s.GetProperty("endpoints").EnumerateArray())
            .Sum(e => e.GetProperty("in_flight").GetInt32());
    }

    [Fact]
    public async Task HttpClientCancellation_ReachesTheBackend_InEveryTrial()
    {
        var recorder = new AbortRecorder();
        await using var backend = await TestBackend.StartAsync(recorder.Handler);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using var client = sidecar.OutboundClient("orders");

        for (var trial = 1; trial <= 10; trial++)
        {
            using var cancel = new CancellationTokenSource();
            var call = client.GetAsync("/hang", cancel.Token);
            await Eventually.TrueAsync(() => Task.FromResult(recorder.Started == trial), $"request {trial} reached the backend");
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            await Eventually.TrueAsync(() => Task.FromResult(recorder.Aborted == trial), $"the backend saw abort {trial}");
        }

        Assert.Equal(10, recorder.Started);
        await Eventually.TrueAsync(async () => await InFlightAsync(sidecar) == 0, "nothing is in flight");
    }

    [Fact]
    public async Task Http2ClientResettingItsStream_ReachesTheBackend_InEveryTrial_AndTheConnectionLivesOn()
    {
        // An h2c client cancelling a request sends RST_STREAM(CANCEL) for that stream only; the sidecar must abort the
        // upstream request (forwarded as HTTP/2 too) while the client's connection and its other streams carry on.
        var recorder = new AbortRecorder();
        await using var backend = await TestBackend.StartHttp2Async(async ctx =>
        {
            if (ctx.Request.Path == "/hang")
            {
                await recorder.Handler(ctx);
            }
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using var client = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port))
        {
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        for (var trial = 1; trial <= 10; trial++)
        {
            using var cancel = new CancellationTokenSource();
            var call = client.GetAsync("http://orders/hang", cancel.Token);
            await Eventually.TrueAsync(() => Task.FromResult(recorder.Started == trial), $"request {trial} reached the backend");
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            await Eventually.TrueAsync(() => Task.FromResult(recorder.Aborted == trial), $"the backend saw abort {trial}");

            using var next = await client.GetAsync("http://orders/ok");
            Assert.Equal(System.Net.HttpVersion.Version20, next.Version);
            Assert.True(next.IsSuccessStatusCode);
        }

        Assert.Equal(10, recorder.Started);
        await Eventually.TrueAsync(async () => await InFlightAsync(sidecar) == 0, "nothing is in flight");
    }

    [Fact]
    public async Task Http1ClientClosingItsConnection_ReachesTheBackend()
    {
        var recorder = new AbortRecorder();
        await using var backend = await TestBackend.StartAsync(recorder.Handler);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        for (var trial = 1; trial <= 5; trial++)
        {
            using (var socket = new System.Net.Sockets.TcpClient())
            {
                await socket.ConnectAsync("127.0.0.1", sidecar.OutboundPort);
                await socket.GetStream().WriteAsync("GET /hang HTTP/1.1\r\nHost: orders\r\n\r\n"u8.ToArray());
                await Eventually.TrueAsync(() => Task.FromResult(recorder.Started == trial), $"request {trial} reached the backend");
            }

            await Eventually.TrueAsync(() => Task.FromResult(recorder.Aborted == trial), $"the backend saw abort {trial}");
        }

        await Eventually.TrueAsync(async () => await InFlightAsync(sidecar) == 0, "nothing is in flight");
    }
}
