using System.Net;
using Mesh.Bodies;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit.Abstractions;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Bodies far larger than the replay buffer stream through the sidecar intact and in bounded memory, and a body over
/// the replay cap is never sent twice. The sidecar runs in the test process, so its memory is the process's.
/// </summary>
[Collection(SerialCollection.Name)]
public class LargeBodyTests(ITestOutputHelper output)
{
    private const long BodySize = 50L * 1024 * 1024;
    private const int ReplayCap = 64 * 1024;
    private const long MemoryBound = 25L * 1024 * 1024; // half the body

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upload_50MB_ArrivesWhole_InBoundedMemory(bool declaredLength)
    {
        await using var backend = await TestBackend.StartAsync(HashRequestBodyAsync);
        await using var sidecar = await StartSidecarAsync(backend);
        using var client = sidecar.OutboundClient("big");
        await WarmUpAsync(client);
        var expected = GeneratedStream.Sha256(BodySize);

        // The client stops a moment short of the cap, so that a replay buffer, if the sidecar keeps one, is sampled; and
        // it samples after each read, so a fast transfer is measured while it moves even when the probe's thread waits.
        MemoryProbe? probe = null;
        using var content = new StreamContent(new GeneratedStream(BodySize) { PauseAfter = 60 * 1024, Pause = TimeSpan.FromMilliseconds(300), AfterRead = () => probe?.Sample() }, 64 * 1024);
        if (declaredLength)
        {
            content.Headers.ContentLength = BodySize;
        }

        string answer;
        using (probe = MemoryProbe.Start())
        {
            using var response = await client.PostAsync(new Uri("/upload", UriKind.Relative), content);
            answer = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {answer}");
        }

        Assert.Equal($"{BodySize} {expected}", answer);
        AssertBounded(probe, concurrentRequests: 1);

        // Declared over the cap, the body is known never to be replayed and is not buffered at all; chunked, it is
        // buffered until it outgrows the cap.
        if (declaredLength)
        {
            Assert.Equal(0, probe.BufferedGrowth);
        }
        else
        {
            Assert.True(probe.BufferedGrowth > 0, $"no replay buffer seen: {probe}");
        }

        await AssertReplayBuffersReturnedAsync(probe);
    }

    [Fact]
    public async Task Download_50MB_ArrivesWhole_InBoundedMemory()
    {
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            context.Response.ContentType = "application/octet-stream";
            await using var body = new GeneratedStream(BodySize);
            await body.CopyToAsync(context.Response.Body, 64 * 1024, context.RequestAborted);
        });
        await using var sidecar = await StartSidecarAsync(backend);
        using var client = sidecar.OutboundClient("big");
        var expected = GeneratedStream.Sha256(BodySize);

        (long Length, string Sha256) received;
        MemoryProbe probe;
        using (probe = MemoryProbe.Start())
        {
            using var response = await client.GetAsync(new Uri("/download", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();

            // Sampled after every MiB read as well: a download this fast can otherwise end before a busy machine (two
            // CPUs, background JIT after the parallel tests) has given the probe's thread ten turns. (A sample
            // allocates a little, so not after every read.)
            var nextSample = 0L;
            received = await BodyHash.ReadAsync(body, progress: read =>
            {
                if (read >= nextSample)
                {
                    probe.Sample();
                    nextSample += 1024 * 1024;
                }
            });
        }

        Assert.Equal((BodySize, expected), received);
        AssertBounded(probe, concurrentRequests: 1);
    }

    [Fact]
    public async Task ConcurrentChunkedUploads_HoldAtMostOneReplayBufferEach()
    {
        const int concurrency = 4;
        const long size = 16L * 1024 * 1024;
        await using var backend = await TestBackend.StartAsync(HashRequestBodyAsync);
        await using var sidecar = await StartSidecarAsync(backend);
        using var client = sidecar.OutboundClient("big");
        await WarmUpAsync(client);
        var expected = GeneratedStream.Sha256(size);

        string[] answers;
        MemoryProbe? probe = null;
        using (probe = MemoryProbe.Start())
        {
            answers = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                using var content = new StreamContent(new GeneratedStream(size) { PauseAfter = 60 * 1024, Pause = TimeSpan.FromMilliseconds(500), AfterRead = () => probe?.Sample() }, 64 * 1024);
                using var response = await client.PostAsync(new Uri("/upload", UriKind.Relative), content);
                return await response.Content.ReadAsStringAsync();
            }));
        }

        Assert.All(answers, answer => Assert.Equal($"{size} {expected}", answer));

        // Each request pauses just short of the cap, so their buffers are held at the same time: more than one is
        // seen, and never more than one per request.
        Assert.True(probe.BufferedGrowth > ReplayCap, $"the paused requests' buffers were not seen together: {probe}");
        // Four connections through three in-process parties (client, sidecar, backend) keep more in Kestrel's and
        // HttpClient's per-connection buffers than one does, so this bounds memory by the total of the bodies:
        // what it rules out is a body held whole.
        AssertBounded(probe, concurrency, concurrency * size);
        await AssertReplayBuffersReturnedAsync(probe);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BodyOverTheReplayCap_WithIdempotencyKey_IsNotReplayed_AfterA503(bool declaredLength)
    {
        // 256 KiB: four times the cap. Declared, the sidecar knows up front; chunked, it finds out while sending.
        var seen = await PostToFirstAttemptFailsAsync(256 * 1024, declaredLength);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, seen.Status);
        var only = Assert.Single(seen.Bodies);
        Assert.Equal((256L * 1024, GeneratedStream.Sha256(256 * 1024)), only);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BodyWithinTheReplayCap_WithIdempotencyKey_IsReplayedWhole_AfterA503(bool declaredLength)
    {
        // The control for the test above: the same set-up does retry a body the sidecar could keep.
        var seen = await PostToFirstAttemptFailsAsync(16 * 1024, declaredLength);

        Assert.Equal(HttpStatusCode.OK, seen.Status);
        Assert.Equal(2, seen.Bodies.Count);
        Assert.All(seen.Bodies, body => Assert.Equal((16L * 1024, GeneratedStream.Sha256(16 * 1024)), body));
    }

    /// <summary>
    /// POSTs a generated body with <c>Idempotency-Key</c> to a service of two endpoints that both read the body
    /// whole; whichever gets the first attempt answers 503 after reading it, every later attempt 200.
    /// </summary>
    private static async Task<(HttpStatusCode Status, IReadOnlyList<(long, string)> Bodies)> PostToFirstAttemptFailsAsync(int size, bool declaredLength)
    {
        var attempts = new int[1];
        var bodies = new System.Collections.Concurrent.ConcurrentQueue<(long, string)>();
        RequestDelegate handler = async context =>
        {
            var body = await BodyHash.ReadAsync(context.Request.Body, context.RequestAborted);
            bodies.Enqueue(body);
            context.Response.StatusCode = Interlocked.Increment(ref attempts[0]) == 1 ? 503 : 200;
        };
        await using var first = await TestBackend.StartAsync(handler);
        await using var second = await TestBackend.StartAsync(handler);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [first.Url, second.Url] }));
        using var client = sidecar.OutboundClient("orders");
        using var content = new StreamContent(new GeneratedStream(size), 4096);
        if (declaredLength)
        {
            content.Headers.ContentLength = size;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/orders", UriKind.Relative)) { Content = content };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        return (response.StatusCode, bodies.ToList());
    }

    private static async Task HashRequestBodyAsync(HttpContext context)
    {
        // A 50 MB upload is over Kestrel's default 30 MB request body limit: this backend accepts any size.
        context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
        var (length, sha256) = await BodyHash.ReadAsync(context.Request.Body, context.RequestAborted);
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync($"{length} {sha256}");
    }

    /// <summary>Sends one request first, so that the sidecar's first-request costs do not stretch the transfer measured.</summary>
    private static async Task WarmUpAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/warm-up", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<Sidecar> StartSidecarAsync(TestBackend backend) =>
        Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["big"] = [backend.Url] }));

    private void AssertBounded(MemoryProbe probe, int concurrentRequests, long memoryBound = MemoryBound)
    {
        output.WriteLine(probe.ToString());
        Assert.True(probe.Samples > 10, $"too few samples: {probe}");
        Assert.True(probe.BufferedGrowth <= (long)ReplayCap * concurrentRequests, $"replay buffers over {concurrentRequests} x 64 KiB: {probe}");
        // What was allocated (rather than GC.GetTotalMemory, whose samples during a collection can exceed even that)
        // bounds what the three parties could have held: a body kept whole would alone be over the bound.
        Assert.True(probe.Allocated < memoryBound, $"{memoryBound / (1024 * 1024)} MiB or more allocated: {probe}");
        Assert.True(probe.WorkingSetGrowth < memoryBound, $"working set grew by {memoryBound / (1024 * 1024)} MiB or more: {probe}");
    }

    private static Task AssertReplayBuffersReturnedAsync(MemoryProbe probe) =>
        Eventually.TrueAsync(() => Task.FromResult(ReplayableContent.BufferedBytes == probe.BaselineBuffered), "the replay buffers went back to the pool");
}
