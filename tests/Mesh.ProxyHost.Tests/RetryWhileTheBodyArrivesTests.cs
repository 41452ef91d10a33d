using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mesh.Classification;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// An attempt can fail while the caller is still sending its body. If the failure may be retried, the replay buffer
/// reads the rest of the body (within its 64 KiB cap) and Mesh's retry waits for it, instead of calling the body
/// unreplayable because it had not all arrived yet.
/// </summary>
public class RetryWhileTheBodyArrivesTests
{
    [Fact]
    public async Task StreamResetBeforeThePutsBodyArrived_IsRetried_WithTheWholeBody_OnceItHasArrived()
    {
        // The backend resets the first stream as soon as its HEADERS arrive (RST_STREAM, INTERNAL_ERROR: it may have
        // acted, so only an idempotent method is retried). The caller sends its body only after that reset.
        var body = RandomNumberGenerator.GetBytes(20_000);
        var resets = 0;
        var received = new List<byte[]>();
        await using var backend = await TestBackend.StartHttp2Async(async context =>
        {
            if (Interlocked.Increment(ref resets) == 1)
            {
                context.Abort();
                return;
            }

            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            lock (received)
            {
                received.Add(copy.ToArray());
            }

            await context.Response.WriteAsync("stored");
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using var retries = new MetricCollector<long>(sidecar.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.Retries);
        using var client = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port));
        var reset = Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref resets) == 1), "the backend resets the first stream");

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "http://orders/blob")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new HeldContent(body, reset),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("stored", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.Requests);
        Assert.Equal(body, Assert.Single(received));
        var retry = Assert.Single(retries.GetMeasurementSnapshot());
        Assert.Equal(1, retry.Value);
        Assert.Equal(FailureReasons.ConnectionBroken, retry.Tags[MeshInstruments.RetryReasonTag]);
    }
}
