using System.Net.Sockets;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests.Performance;

/// <summary>
/// The sidecar's binary keeps 128 arrays of a size per CPU in the shared array pool (its entry point's
/// DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION; the runtime's default is 32): each proxied body is copied
/// through a 64 KiB buffer from that pool, one per stream in flight, and with the default a sidecar given few CPUs
/// allocated most of them afresh under load (docs/performance.md, "Copy buffers").
/// </summary>
public sealed class PooledCopyBuffersTests
{
    // As many streams as the pool keeps buffers on the sidecar's 2 CPUs (DOTNET_PROCESSOR_COUNT below): 128 per CPU.
    private const int Streams = 256;
    private const int CopyBuffer = 64 * 1024;
    private static readonly byte[] Chunk = new byte[CopyBuffer];

    [Fact]
    public async Task ASecondWaveOfStreamsInFlight_ReusesTheCopyBuffersOfTheFirst()
    {
        // Each response is 1 MiB, far more than the client's side lets through while it does not read (its 8 KiB socket
        // buffer, the sidecar's send buffer and Kestrel's 64 KiB response buffer): every copy then waits on its write,
        // holding its buffer, so all 256 are in use at once.
        var answered = 0;
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            for (var i = 0; i < 16; i++)
            {
                await context.Response.Body.WriteAsync(Chunk, context.RequestAborted);
            }

            Interlocked.Increment(ref answered);
        });

        var outbound = FreePort.Get();
        var admin = FreePort.Get();
        await using var sidecar = await RunningSidecar.StartAsync(
        [
            .. RunningSidecar.OutboundOnly(outbound, admin),
            $"--Services:big:http:0={backend.Url}",
            // The first wave's upstream connections stay for the second however long the first took to read: new ones
            // (and their buffers) would be counted against the pool (12.5 MiB more, measured on a slow day).
            "--Mesh:Services:big:Upstream:IdleTimeout=00:01:00",
        ], admin, static start => start.Environment["DOTNET_PROCESSOR_COUNT"] = "2");

        // A client whose sockets take little before the sidecar must wait (no receive-window autotuning).
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Streams,
            ConnectCallback = static async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 8192 };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        }) { Timeout = TimeSpan.FromMinutes(2) };
        using var metrics = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await WaveAsync(client, outbound, () => Volatile.Read(ref answered));
        var before = await AllocatedAsync(metrics, admin);
        await WaveAsync(client, outbound, () => Volatile.Read(ref answered));

        // The exporter answers a scrape within 300 ms of the last from its cache: the first answer that differs is fresh.
        var after = before;
        await Eventually.TrueAsync(async () => (after = await AllocatedAsync(metrics, admin)) != before, "the sidecar's /metrics shows the second wave");
        var allocated = after - before;

        // The rest of the second wave (requests, responses, 256 MiB through Kestrel and HttpClient) allocated 5.1-5.2 MiB
        // (2 runs); had the pool dropped the first wave's buffers (32 per CPU kept), at least 192 new ones (12 MiB) would
        // come on top: 17.1 MiB measured so (2 runs). The bound sits halfway.
        const long Rest = 5 << 20;
        Assert.True(allocated < Rest + (96 * CopyBuffer), $"the second wave of {Streams} streams allocated {allocated / 1024} KiB in the sidecar");
    }

    // 256 requests in flight at once, their bodies unread until every response has begun and the backend has written
    // every body (into the sidecar's upstream connections; every copy is waiting on the client); then every body read to
    // its end.
    private static async Task WaveAsync(HttpClient client, int outbound, Func<int> backendAnswered)
    {
        var answeredBefore = backendAnswered();
        var responses = await Task.WhenAll(Enumerable.Range(0, Streams).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{outbound}/big");
            request.Headers.Host = "big";
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            return response;
        }));

        await Eventually.TrueAsync(() => Task.FromResult(backendAnswered() == answeredBefore + Streams), "the backend has written every body");

        var lengths = await Task.WhenAll(responses.Select(async response =>
        {
            using (response)
            {
                return (await response.Content.ReadAsByteArrayAsync()).Length;
            }
        }));
        Assert.All(lengths, length => Assert.Equal(16 * CopyBuffer, length));
    }

    private static async Task<long> AllocatedAsync(HttpClient metrics, int admin)
    {
        const string Allocated = "dotnet_gc_heap_total_allocated_bytes_total";
        var text = await metrics.GetStringAsync($"http://127.0.0.1:{admin}/metrics");
        Assert.Contains(Allocated + "{", text, StringComparison.Ordinal);
        return (long)Scrape.Sum(text, Allocated);
    }
}
