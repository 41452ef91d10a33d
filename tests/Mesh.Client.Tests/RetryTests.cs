using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Client.Tests;

public class RetryTests
{
    [Fact]
    public async Task OneOfThreeEndpointsFailingHalfItsRequests_IsMasked_WithoutARetryStorm()
    {
        await using var ok1 = await TestBackend.StartAsync();
        await using var ok2 = await TestBackend.StartAsync();
        await using var flaky = await TestBackend.StartAsync(FaultyHandlers.FailingShare(seed: 1, share: 0.5));
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [ok1, ok2, flaky]));
        using var retries = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.retries");
        var client = host.CreateClient();

        var result = await Load.SendAsync(3000, concurrency: 8, _ => client.GetAsync("/work"));

        Assert.Empty(result.Exceptions);
        Assert.True(result.Succeeded >= 2997, $"{result.Succeeded} of 3000 succeeded");
        var attempts = ok1.Requests + ok2.Requests + flaky.Requests;
        Assert.True(attempts <= 3000 * 1.25, $"{attempts} attempts for 3000 requests");

        // The retries counter accounts for exactly the extra attempts the backends saw.
        Assert.Equal(attempts - 3000, retries.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(retries.GetMeasurementSnapshot(), m => Assert.Equal("status_503", m.Tags["mesh.retry.reason"]));
    }

    [Fact]
    public async Task EveryEndpointFailing_IsNotAmplified_AndCallersGetTheFailure()
    {
        await using var a = await TestBackend.StartAsync(status: 503);
        await using var b = await TestBackend.StartAsync(status: 503);
        await using var c = await TestBackend.StartAsync(status: 503);
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a, b, c]));
        using var exhausted = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.retry_budget.exhausted");
        var client = host.CreateClient();

        var clock = Stopwatch.StartNew();
        var result = await Load.SendAsync(1000, concurrency: 8, _ => client.GetAsync("/work"));
        var seconds = Math.Ceiling(clock.Elapsed.TotalSeconds);

        // Every caller got the 503 itself: no request was held until a timeout.
        Assert.Equal(1000, result.FailedResponses);
        var attempts = a.Requests + b.Requests + c.Requests;
        Assert.True(attempts <= (1000 * 1.2) + (10 * (seconds + 1)), $"{attempts} attempts for 1000 requests in {seconds} s");
        Assert.True(exhausted.GetMeasurementSnapshot().Sum(m => m.Value) > 0);
    }

    [Fact]
    public async Task PostWithStreamedBody_AgainstFailingEndpoints_ReachesTheBackendsAtMostOnce()
    {
        var seen = new ConcurrentDictionary<string, int>();
        RequestDelegate record = async ctx =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            seen.AddOrUpdate(ctx.Request.Headers["x-request-id"].ToString(), 1, (_, n) => n + 1);
            ctx.Response.StatusCode = 503;
        };
        await using var a = await TestBackend.StartAsync(record);
        await using var b = await TestBackend.StartAsync(record);
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a, b]));
        var client = host.CreateClient();

        var result = await Load.SendAsync(200, concurrency: 4, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
            {
                Content = new StreamContent(new NonSeekableStream(new byte[1000 + i])),
            };
            request.Headers.Add("x-request-id", $"r{i}");
            return client.SendAsync(request);
        });

        Assert.Equal(200, result.FailedResponses);
        Assert.Equal(200, seen.Count);
        Assert.All(seen, pair => Assert.Equal(1, pair.Value));
    }

    [Fact]
    public async Task PostToAnEndpointRefusingConnections_IsRetriedElsewhere_ExactlyOnceOnTheBackends()
    {
        var seen = new ConcurrentDictionary<string, int>();
        await using var live = await TestBackend.StartAsync(async ctx =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            seen.AddOrUpdate(ctx.Request.Headers["x-request-id"].ToString() + "/" + body.Length, 1, (_, n) => n + 1);
        });
        var dead = await TestBackend.StartAsync();
        await dead.DisposeAsync(); // its port now refuses connections
        var config = MeshClientHost.EndpointConfig("orders", [live, dead], new Dictionary<string, string?> { ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin" });
        await using var host = await MeshClientHost.StartAsync(config);
        var client = host.CreateClient();

        var result = await Load.SendAsync(20, concurrency: 1, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StreamContent(new NonSeekableStream(new byte[500])) };
            request.Headers.Add("x-request-id", $"r{i}");
            return client.SendAsync(request);
        });

        Assert.Equal(20, result.Succeeded);
        Assert.Equal(20, seen.Count);
        Assert.All(seen, pair => Assert.Equal(1, pair.Value));
        Assert.All(seen.Keys, key => Assert.EndsWith("/500", key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostWithIdempotencyKey_IsRetried_AndItsSmallBodyReplayedWhole()
    {
        var bodies = new ConcurrentBag<int>();
        var calls = 0;
        RequestDelegate flaky = async ctx =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            bodies.Add((int)body.Length);
            ctx.Response.StatusCode = Interlocked.Increment(ref calls) % 2 == 1 ? 503 : 200;
        };
        await using var a = await TestBackend.StartAsync(flaky);
        await using var b = await TestBackend.StartAsync(flaky);
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a, b]));
        var client = host.CreateClient();

        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StreamContent(new NonSeekableStream(new byte[4000])) };
        request.Headers.Add("Idempotency-Key", "k1");
        using var response = await client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal([4000, 4000], bodies.ToArray());
    }

    [Fact]
    public async Task PostWhoseConnectionTheBackendAbortsAfterReadingTheBody_IsNeverSentAgain()
    {
        var seen = new ConcurrentDictionary<string, int>();
        RequestDelegate abortAfterBody = async ctx =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            seen.AddOrUpdate(ctx.Request.Headers["x-request-id"].ToString(), 1, (_, n) => n + 1);
            ctx.Abort();
        };
        await using var a = await TestBackend.StartAsync(abortAfterBody);
        await using var b = await TestBackend.StartAsync(abortAfterBody);
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a, b]));
        var client = host.CreateClient();

        var result = await Load.SendAsync(50, concurrency: 4, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent($"order {i}") };
            request.Headers.Add("x-request-id", $"r{i}");
            return client.SendAsync(request);
        });

        Assert.Equal(50, result.Exceptions.Count);
        Assert.Equal(50, seen.Count);
        Assert.All(seen, pair => Assert.Equal(1, pair.Value));
    }

    [Fact]
    public async Task PutWhoseStreamIsResetWhileItsBodyNeverArrives_WaitsForTheBodyNoLongerThanTheDeadline_AndIsNotSentAgain()
    {
        // The backend resets the stream on its HEADERS; the caller sends half its body and then nothing. The failure may
        // be retried (PUT), so Mesh waits for the rest of the body to replay it, but only until the deadline (the default
        // Total, 30 s, on a fake clock): then the caller gets the failure, and the backend never sees a second request.
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartHttp2Async(ctx =>
        {
            ctx.Abort();
            return Task.CompletedTask;
        });
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [backend]), s => s.AddSingleton<TimeProvider>(time));
        var never = new TaskCompletionSource();
        var request = new HttpRequestMessage(HttpMethod.Put, "/blob")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new HeldContent(new byte[2000], never.Task, sentAtOnce: 1000),
        };

        var started = time.GetUtcNow();
        var call = host.CreateClient().SendAsync(request);
        await Eventually.TrueAsync(() => Task.FromResult(backend.Requests == 1), "the backend resets the stream");
        for (var second = 0; second < 60 && !call.IsCompleted; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(call, Task.Delay(100));
        }

        Assert.True(call.IsCompleted, "the call still waited for its body 60 s (fake) into a 30 s deadline");
        Assert.True(time.GetUtcNow() - started >= TimeSpan.FromSeconds(30), $"gave up on the body after {time.GetUtcNow() - started}, before the deadline");
        await Assert.ThrowsAsync<HttpRequestException>(() => call);
        Assert.Equal(1, backend.Requests);
        never.SetResult();
    }

    /// <summary>A body that can be read once, like one arriving off the network.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
