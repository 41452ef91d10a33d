using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.ProxyHost.Features.Forwarding;
using Microsoft.Extensions.DependencyInjection;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// The fault scenarios of Mesh.Client.Tests' RetryTests and FailureAccrualTests, driven through the sidecar's
/// outbound listener as a non-.NET application would: the sidecar masks what it can without a retry storm, never
/// replays a request that may have reached a backend, and answers what it cannot mask with a status that says why.
/// </summary>
public class FaultTests
{
    private static Dictionary<string, string[]> Orders(params TestBackend[] backends) =>
        new() { ["orders"] = backends.Select(b => b.Url).ToArray() };

    [Fact]
    public async Task OneOfThreeEndpointsFailingHalfItsRequests_IsMasked_WithoutARetryStorm()
    {
        await using var ok1 = await TestBackend.StartAsync();
        await using var ok2 = await TestBackend.StartAsync();
        await using var flaky = await TestBackend.StartAsync(FaultyHandlers.FailingShare(seed: 1, share: 0.5));
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(Orders(ok1, ok2, flaky)));
        using var client = sidecar.OutboundClient("orders");

        var result = await Load.SendAsync(3000, concurrency: 8, _ => client.GetAsync("/work"));

        Assert.Empty(result.Exceptions);
        Assert.True(result.Succeeded >= 2997, $"{result.Succeeded} of 3000 succeeded");
        var attempts = ok1.Requests + ok2.Requests + flaky.Requests;
        Assert.True(attempts <= 3000 * 1.25, $"{attempts} attempts for 3000 requests");
    }

    [Fact]
    public async Task EveryEndpointFailing_IsNotAmplified_AndEveryCallerGetsThe503()
    {
        await using var a = await TestBackend.StartAsync(status: 503);
        await using var b = await TestBackend.StartAsync(status: 503);
        await using var c = await TestBackend.StartAsync(status: 503);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(Orders(a, b, c)));
        using var client = sidecar.OutboundClient("orders");
        var statuses = new ConcurrentDictionary<int, int>();

        // The clock only sizes the budget's always-allowed retries (10 per second) in the bound; nothing asserts on time.
        var clock = Stopwatch.StartNew();
        var result = await Load.SendAsync(1000, concurrency: 8, async _ =>
        {
            var response = await client.GetAsync("/work");
            statuses.AddOrUpdate((int)response.StatusCode, 1, static (_, n) => n + 1);
            return response;
        });
        var seconds = Math.Ceiling(clock.Elapsed.TotalSeconds);

        Assert.Empty(result.Exceptions);
        Assert.Equal(1000, statuses.GetValueOrDefault(503));
        var attempts = a.Requests + b.Requests + c.Requests;
        Assert.True(attempts <= (1000 * 1.2) + (10 * (seconds + 1)), $"{attempts} attempts for 1000 requests in {seconds} s");
    }

    [Fact]
    public async Task PostWithABody_AgainstFailingEndpoints_ReachesTheBackendsAtMostOnce()
    {
        var seen = new ConcurrentDictionary<string, int>();
        var lengths = new ConcurrentDictionary<string, long>();
        RequestDelegate record = async ctx =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            var id = ctx.Request.Headers["x-request-id"].ToString();
            seen.AddOrUpdate(id, 1, static (_, n) => n + 1);
            lengths[id] = body.Length;
            ctx.Response.StatusCode = 503;
        };
        await using var a = await TestBackend.StartAsync(record);
        await using var b = await TestBackend.StartAsync(record);

        // A third endpoint refuses connections: a POST that never reached it may go elsewhere, with its body whole.
        var dead = await TestBackend.StartAsync();
        await dead.DisposeAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(Orders(a, b, dead)));
        using var client = sidecar.OutboundClient("orders");
        var statuses = new ConcurrentDictionary<int, int>();

        var result = await Load.SendAsync(200, concurrency: 4, async i =>
        {
            // Half the bodies are streamed (chunked), half have a Content-Length.
            HttpContent content = i % 2 == 0 ? new StreamContent(new NonSeekableStream(new byte[1000 + i])) : new ByteArrayContent(new byte[1000 + i]);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = content };
            request.Headers.Add("x-request-id", $"r{i}");
            var response = await client.SendAsync(request);
            statuses.AddOrUpdate((int)response.StatusCode, 1, static (_, n) => n + 1);
            return response;
        });

        Assert.Empty(result.Exceptions);
        Assert.Equal(200, result.FailedResponses);
        Assert.All(seen, pair => Assert.Equal(1, pair.Value));

        // Every 503 is a backend's answer to one delivery; the rest were refused connections the budget did not retry.
        Assert.Equal(statuses.GetValueOrDefault(503), seen.Count);
        Assert.Equal(200, statuses.GetValueOrDefault(503) + statuses.GetValueOrDefault(502));
        Assert.NotEmpty(seen);
        Assert.All(lengths, pair => Assert.Equal(1000 + int.Parse(pair.Key[1..], System.Globalization.CultureInfo.InvariantCulture), pair.Value));
    }

    [Fact]
    public async Task ServiceWithNoEndpoints_Is503_NoEndpoints()
    {
        // Known by its policy alone: the sidecar accepts it, but discovery has nothing to send it to.
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(
            new Dictionary<string, string[]>(),
            meshServices: """{ "empty": { "LoadBalancer": "RoundRobin" } }"""));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /work HTTP/1.1\r\nHost: empty\r\nConnection: close\r\n\r\n");

        Assert.Equal(503, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: no-endpoints", response, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ClientBodyBreakingMidway_Is400_RequestBody_AndNothingCompleteReachesTheBackend()
    {
        // The first chunk is forwarded; the second chunk's size line is not hex. The caller learns its body was at fault.
        var completeBodies = 0;
        await using var backend = await TestBackend.StartAsync(async ctx =>
        {
            using var sink = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(sink);
            Interlocked.Increment(ref completeBodies);
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(Orders(backend)));

        var response = await RawHttp.SendAsync(
            sidecar.OutboundPort,
            "POST /work HTTP/1.1\r\nHost: orders\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nworld\r\n0\r\n\r\n");

        Assert.Equal(400, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: request-body", response, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, completeBodies);
    }

    [Fact]
    public async Task OnlyEndpointRefusingConnections_Is502_ConnectError()
    {
        var dead = await TestBackend.StartAsync();
        await dead.DisposeAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(Orders(dead)));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /work HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");

        Assert.Equal(502, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: connect-error", response, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ConnectThatNeverCompletes_TimesOutAfterConnectTimeout_AndIs502_ConnectError_NotTheDeadline()
    {
        // Upstream connects hang (a black-holed address) until cancelled. With Mesh:Proxy:ConnectTimeout 200 ms, far
        // under the 10 s per-try timeout, the caller gets 502 connect-error, not 504 deadline-exceeded; each connect was
        // cancelled, none completed.
        var connects = 0;
        var cancelled = 0;
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = ["http://127.0.0.1:9", "http://127.0.0.1:10"] }),
            services => services.AddSingleton(new UpstreamConnector(async (_, cancellationToken) =>
            {
                Interlocked.Increment(ref connects);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                finally
                {
                    Interlocked.Increment(ref cancelled);
                }

                throw new UnreachableException();
            })),
            "--Mesh:Proxy:ConnectTimeout=00:00:00.200");

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "POST /work HTTP/1.1\r\nHost: orders\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");

        Assert.True(RawHttp.Status(response) == 502, response);
        Assert.Contains("mesh-proxy-error: connect-error", response, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(connects, 1, 3); // the first attempt, and the retries the budget allows (a connect sent nothing: any method)
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref cancelled) == Volatile.Read(ref connects)), "every hanging connect is cancelled");
    }

    [Fact]
    public async Task ZeroConnectTimeout_FailsTheStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), "--Mesh:Proxy:ConnectTimeout=00:00:00"));
        Assert.Contains("Mesh:Proxy:ConnectTimeout must be greater than zero, was 00:00:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangingEndpoint_Is504_DeadlineExceeded_AndTheBackendSeesTheAbort()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hanging = await TestBackend.StartAsync(async ctx =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(
            Orders(hanging),
            meshServices: """{ "orders": { "Timeouts": { "Total": "00:00:00.300", "PerTry": "00:00:00.300" } } }"""));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /work HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");

        Assert.Equal(504, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: deadline-exceeded", response, StringComparison.OrdinalIgnoreCase);
        await Eventually.TrueAsync(() => Task.FromResult(aborted.Task.IsCompleted), "the backend sees the request aborted");
        Assert.Equal(1, hanging.Requests);
    }

    /// <summary>A body that can be read once, like one arriving off the network.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
