using System.Diagnostics.Metrics;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.Client.Tests;

/// <summary>
/// <c>mesh.request.bytes</c> and <c>mesh.response.bytes</c> through <c>AddMeshClient</c>, against a real Kestrel backend
/// that reads every request body and answers with as many bytes as the query asks (<see cref="SizedBodies"/>): counted
/// as the bodies stream, once per request however many attempts carried it.
/// </summary>
public class ByteCountTests
{
    [Fact]
    public async Task EachWay_IsCountedPerService_AsTheBodiesStream_OncePerRequest()
    {
        var attempts = 0;
        await using var backend = await TestBackend.StartAsync(SizedBodies.Handler(() => Interlocked.Increment(ref attempts)));
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [backend]));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var sent = new MetricCollector<long>(meters, "Mesh", "mesh.request.bytes");
        using var received = new MetricCollector<long>(meters, "Mesh", "mesh.response.bytes");
        var client = host.CreateClient();

        // A streamed upload over the 64 KiB replay cap (counted as it passes, never buffered), a 300 KiB chunked download.
        using (var upload = await client.PostAsync("/up?size=307200", new StreamContent(new MemoryStream(new byte[200 * 1024]))))
        {
            Assert.Equal("204800", upload.Headers.GetValues("x-read").Single());
            Assert.Equal(300 * 1024, (await upload.Content.ReadAsByteArrayAsync()).Length);
        }

        // An in-memory body sent twice (the first attempt answered 503 and retried): the caller sent it once.
        using (var put = await client.PutAsync("/put?size=10&fail=" + (Volatile.Read(ref attempts) + 1), new StringContent("0123456789ABCDEF")))
        {
            Assert.Equal(200, (int)put.StatusCode);
            Assert.Equal(10, (await put.Content.ReadAsByteArrayAsync()).Length);
        }

        // Read as a stream, a little at a time, the way a caller that processes a download does.
        using (var download = await client.GetAsync("/down?size=50000", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await download.Content.ReadAsStreamAsync();
            var buffer = new byte[1000];
            while (await body.ReadAsync(buffer) > 0)
            {
            }
        }

        Assert.Equal(3, received.GetMeasurementSnapshot().Count);
        Assert.Equal((200 * 1024) + 16, sent.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal((300 * 1024) + 10 + 50000, received.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(sent.GetMeasurementSnapshot().Concat(received.GetMeasurementSnapshot()), m =>
        {
            Assert.Equal("orders", m.Tags["mesh.service"]);
            Assert.Equal("outbound", m.Tags["mesh.direction"]);
        });
    }

    [Fact]
    public async Task ABodyAbandonedHalfway_CountsWhatWasRead_WhenTheCallerLetsGo()
    {
        await using var backend = await TestBackend.StartAsync(SizedBodies.Handler());
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [backend]));
        using var received = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.response.bytes");
        var client = host.CreateClient();

        using (var download = await client.GetAsync("/down?size=1048576", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await download.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            var read = 0;
            while (read < 100_000)
            {
                read += await body.ReadAsync(buffer);
            }

            Assert.Empty(received.GetMeasurementSnapshot());
        }

        // Disposed after at least 100,000 bytes, long before the whole megabyte: what the caller read is what counts.
        var counted = Assert.Single(received.GetMeasurementSnapshot()).Value;
        Assert.InRange(counted, 100_000, 1_048_575);
    }
}
