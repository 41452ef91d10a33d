using System.Diagnostics.Metrics;
using System.Net;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// HTTP/2 rapid reset (CVE-2023-44487): a client that opens streams and cancels them at once, in a flood, makes the
/// server start work it never gets to finish. The sidecar's outbound HTTP/2 listener must cut such a connection off
/// after a bounded number of streams, while another client's connection is served throughout.
/// </summary>
/// <remarks>
/// What closes the connection is Kestrel's own mitigation, sized by <c>MaxTrackedStreams</c> = 2 × MaxStreamsPerConnection
/// (100 by default, which the sidecar keeps) = 200. When more than 200 streams wait on the connection's output queue,
/// Kestrel aborts it (log event <c>Http2QueueOperationsExceeded</c>, <c>error.type=output_queue_size_exceeded</c>);
/// when more than 200 streams are tracked, it refuses new ones with ENHANCE_YOUR_CALM and aborts the connection after
/// more than 5 × 20 such refusals (<c>Http2TooManyEnhanceYourCalms</c>, <c>stream_reset_limit_exceeded</c>). Both
/// count streams not yet drained, and some drain between reads, so the number started varies: observed here, the
/// connection was aborted after Kestrel had queued 200 to 505 of the flood's streams (200 most often), mostly by the
/// first limit; the bound below is 1,000 of the 10,000 written. The abort closes the socket with the flood's unread
/// frames in it, so the client sees a reset or an EOF, and not the GOAWAY Kestrel queued. Both limits count streams
/// that pile up within a burst: a client that waits for a round trip every 100 streams is never cut off (each batch
/// drains before the next arrives; 20,000 streams went through so, none of them reaching the backend).
/// </remarks>
public class RapidResetTests(ITestOutputHelper output)
{
    private const int MaxStreamsQueued = 1_000;
    private const int FloodStreams = 10_000;
    private const int StreamsPerWrite = 100;

    [Fact]
    public async Task StreamsOpenedAndResetInAFlood_GetTheConnectionClosed_WhileAnotherClientIsServed()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartHttp2Async(async ctx =>
        {
            if (ctx.Request.Path == "/held")
            {
                await release.Task;
            }

            await ctx.Response.WriteAsync("ok");
        });

        // A short drain timeout: now and then Kestrel never finishes a connection it aborted this way (it logs
        // "application never completed" once the abandoned connection is collected), and stopping the sidecar then
        // waits out the whole drain timeout (30 s by default) for it.
        var kestrel = new KestrelEvents();
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }),
            services => services.AddLogging(logging => logging.AddFilter(KestrelEvents.Http2Category, LogLevel.Debug).AddProvider(kestrel)),
            "--Mesh:Proxy:DrainTimeout=00:00:02");

        // Kestrel counts each stream it accepts and queues to the application, on the connection's own loop, before it
        // can abort that connection.
        using var queued = new MetricCollector<long>(sidecar.Services.GetRequiredService<IMeterFactory>(), "Microsoft.AspNetCore.Server.Kestrel", "kestrel.queued_requests");
        using var client = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port))
        {
            BaseAddress = new Uri("http://orders"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        try
        {
            // The other client has requests in flight on its own connection for the whole flood.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/warm-up")).StatusCode);
            var held = Enumerable.Range(0, 5).Select(_ => client.GetAsync("/held")).ToList();
            await Eventually.TrueAsync(() => Task.FromResult(backend.Requests == 6), "the held requests reach the backend");
            var queuedBefore = Queued(queued);

            // The flood: HEADERS (GET /flood) and RST_STREAM(CANCEL) for stream after stream, written as fast as the
            // socket takes them, without waiting for anything from the server.
            await using var flood = await RawHttp2Client.ConnectAsync(sidecar.OutboundHttp2Port);
            var headers = Http2Wire.LiteralHeaderBlock(
                (Http2Wire.MethodName, "GET"), (Http2Wire.SchemeName, "http"), (Http2Wire.PathName, "/flood"), (Http2Wire.AuthorityName, "orders"));
            var written = 0;
            var stream = 1;
            while (written < FloodStreams && !flood.Closed.IsCompleted)
            {
                var chunk = new List<byte>();
                for (var i = 0; i < StreamsPerWrite; i++, stream += 2)
                {
                    chunk.AddRange(Http2Wire.Frame(Http2Wire.Headers, Http2Wire.EndHeaders | Http2Wire.EndStream, stream, headers));
                    chunk.AddRange(Http2Wire.RstStreamFrame(stream, Http2Wire.Cancel));
                }

                try
                {
                    await flood.SendAsync(chunk.ToArray());
                }
                catch (IOException)
                {
                    break; // closed by the server
                }

                written += StreamsPerWrite;
            }

            // Closed: GOAWAY then EOF, or a reset (Kestrel closed it with our unread frames still in its socket buffer).
            var closed = await flood.Closed.WaitAsync(TimeSpan.FromSeconds(30));
            var floodQueued = Queued(queued) - queuedBefore;

            // Kestrel says why it cut the connection off (logged before it closes the socket). Not its end metric
            // (kestrel.connection.duration), which a connection Kestrel abandons (above) never records.
            string? reason = null;
            await Eventually.TrueAsync(
                () => Task.FromResult((reason = kestrel.Abort) is not null),
                "Kestrel logs why it closed the flood's connection");
            output.WriteLine(
                $"flood: {written} streams written, {floodQueued} queued by the sidecar's Kestrel, connection closed by {reason} ({closed} at the client); " +
                $"GOAWAY {(flood.GoAway.IsCompleted ? $"error {(await flood.GoAway).ErrorCode}" : "not seen")}, " +
                $"{flood.Resets(Http2Wire.EnhanceYourCalm)} ENHANCE_YOUR_CALM resets seen, {backend.Requests - 6} flood requests reached the backend");
            Assert.InRange(floodQueued, 1, MaxStreamsQueued);

            // The other client: its in-flight requests complete, and new ones are served; the sidecar is up.
            release.TrySetResult();
            foreach (var response in await Task.WhenAll(held))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("ok", await response.Content.ReadAsStringAsync());
            }

            for (var i = 0; i < 20; i++)
            {
                using var after = await client.GetAsync("/after");
                Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            }

            using var fresh = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port)) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync(new Uri("http://orders/new-connection"))).StatusCode);
            Assert.Contains("ready", await sidecar.GetAdminAsync("/ready"), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    // Streams queued so far: each +1 of the kestrel.queued_requests up-down counter.
    private static int Queued(MetricCollector<long> queued) => queued.GetMeasurementSnapshot().Count(m => m.Value > 0);

    /// <summary>Kestrel's HTTP/2 log, as far as it tells why a connection was cut off for its streams.</summary>
    private sealed class KestrelEvents : ILoggerProvider, ILogger
    {
        public const string Http2Category = "Microsoft.AspNetCore.Server.Kestrel.Http2";

        private static readonly string[] Mitigations = ["Http2QueueOperationsExceeded", "Http2TooManyEnhanceYourCalms"];
        private volatile string? _abort;

        /// <summary>Gets the event by which Kestrel cut a connection off for its streams, if it has.</summary>
        public string? Abort => _abort;

        public ILogger CreateLogger(string categoryName) => categoryName == Http2Category ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Mitigations.Contains(eventId.Name))
            {
                _abort ??= eventId.Name;
            }
        }

        public void Dispose()
        {
        }
    }
}
