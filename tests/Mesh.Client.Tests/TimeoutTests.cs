using Mesh.Client.Tests.Infrastructure;
using Mesh.Timeouts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Polly.Timeout;

namespace Mesh.Client.Tests;

public class TimeoutTests
{
    /// <summary>A backend that never answers and counts the requests whose connection the client aborted.</summary>
    private sealed class HangingBackend
    {
        private int _aborted;

        public int Aborted => Volatile.Read(ref _aborted);

        public RequestDelegate Handler => async ctx =>
        {
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

    [Fact]
    public async Task HangingEndpoint_PerTryTimeoutMovesTheRequestElsewhere_AndTheEndpointSeesTheAbort()
    {
        var hang = new HangingBackend();
        await using var stuck = await TestBackend.StartAsync(hang.Handler);
        await using var ok1 = await TestBackend.StartAsync();
        await using var ok2 = await TestBackend.StartAsync();
        var config = MeshClientHost.EndpointConfig("orders", [stuck, ok1, ok2], new Dictionary<string, string?>
        {
            ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin",
            // Long enough that a healthy endpoint on a loaded 2-core machine is never cut, short enough to keep the test short.
            ["Mesh:Services:orders:Timeouts:PerTry"] = "00:00:01",
            ["Mesh:Services:orders:Timeouts:Total"] = "00:00:30",
        });
        await using var host = await MeshClientHost.StartAsync(config);
        var client = host.CreateClient();

        var result = await Load.SendAsync(12, concurrency: 1, _ => client.GetAsync("/work"));

        Assert.Equal(12, result.Succeeded);
        Assert.True(stuck.Requests >= 1);
        await Eventually.TrueAsync(() => Task.FromResult(hang.Aborted == stuck.Requests), "the hanging endpoint has seen every attempt aborted");
    }

    [Fact]
    public async Task EveryEndpointHanging_TotalTimeoutEndsTheRequest_AndCancelsTheUpstreamCall()
    {
        var hang = new HangingBackend();
        await using var stuck = await TestBackend.StartAsync(hang.Handler);
        var config = MeshClientHost.EndpointConfig("orders", [stuck], new Dictionary<string, string?>
        {
            ["Mesh:Services:orders:Timeouts:Total"] = "00:00:00.300",
            ["Mesh:Services:orders:Timeouts:PerTry"] = "00:00:00.300",
        });
        await using var host = await MeshClientHost.StartAsync(config);

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => host.CreateClient().GetAsync("/work"));

        await Eventually.TrueAsync(() => Task.FromResult(hang.Aborted == 1), "the endpoint has seen the request aborted");
        Assert.Equal(1, stuck.Requests);
    }

    [Fact]
    public async Task AttemptsEndedByTheDeadline_AreNotChargedToTheEndpoint_ButPerTryTimeoutsAre()
    {
        // The same slow endpoint (5 s), timed out five times in a row: by the request's deadline (the caller's budget of
        // 1 s was short, not the endpoint's fault) it stays ready; by its own per-try timeout of 1 s it is ejected. The
        // fast endpoint answers well within 1 s even on a loaded machine.
        Assert.Equal("ready", await SlowEndpointStateAfterFiveTimeouts(callerDeadline: TimeSpan.FromSeconds(1), perTry: "00:00:10"));
        Assert.Equal("ejected", await SlowEndpointStateAfterFiveTimeouts(callerDeadline: null, perTry: "00:00:01"));
    }

    private static async Task<string> SlowEndpointStateAfterFiveTimeouts(TimeSpan? callerDeadline, string perTry)
    {
        await using var slow = await TestBackend.StartAsync(delay: TimeSpan.FromSeconds(5));
        await using var fast = await TestBackend.StartAsync();
        var config = MeshClientHost.EndpointConfig("orders", [slow, fast], new Dictionary<string, string?>
        {
            ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin",
            ["Mesh:Services:orders:Retry:MaxRetries"] = "0",
            ["Mesh:Services:orders:Timeouts:PerTry"] = perTry,
        });
        await using var host = await MeshClientHost.StartAsync(config);
        var client = host.CreateClient();

        var timedOut = 0;
        for (var i = 0; i < 10 && slow.Requests < 5; i++)
        {
            try
            {
                using var scope = callerDeadline is { } budget ? MeshDeadline.Begin(Deadline.After(TimeProvider.System, budget)) : default;
                using var response = await client.GetAsync("/work");
            }
            catch (TimeoutRejectedException)
            {
                timedOut++;
            }
        }

        Assert.Equal(5, slow.Requests);
        Assert.Equal(5, timedOut);
        var stats = Assert.Single(host.Services.GetRequiredService<MeshServiceRegistry>().Snapshot(TimeSpan.FromMinutes(1)));
        return stats.Endpoints.Single(e => e.Endpoint == new Uri(slow.Url).Authority).State;
    }
}
