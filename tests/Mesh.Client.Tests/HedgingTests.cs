using System.Diagnostics.Metrics;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.Client.Tests;

public class HedgingTests
{
    private static Dictionary<string, string?> Hedged(bool enabled) => new()
    {
        ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin",
        ["Mesh:Services:orders:Hedging:Enabled"] = enabled ? "true" : "false",
        ["Mesh:Services:orders:Hedging:MinDelay"] = "00:00:00.050",
    };

    [Fact]
    public async Task SlowAttempt_IsHedgedToAnotherEndpoint_AndTheFirstAnswerWins()
    {
        var aborted = 0;
        await using var slow = await TestBackend.StartAsync(async ctx =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref aborted);
            }
        });
        await using var fast = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [slow, fast], Hedged(true)));
        using var retries = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.retries");
        var client = host.CreateClient();

        var result = await Load.SendAsync(10, concurrency: 1, _ => client.GetAsync("/work"));

        Assert.Equal(10, result.Succeeded);
        var hedges = retries.GetMeasurementSnapshot().Where(m => (string)m.Tags["mesh.retry.reason"]! == "hedge").Sum(m => m.Value);
        Assert.Equal(slow.Requests, hedges);
        Assert.Equal(10 + hedges, slow.Requests + fast.Requests);
        await Eventually.TrueAsync(() => Task.FromResult(aborted == slow.Requests), "every losing attempt was cancelled upstream");
    }

    [Fact]
    public async Task Post_IsNeverHedged()
    {
        await using var slow = await TestBackend.StartAsync(delay: TimeSpan.FromMilliseconds(300));
        await using var fast = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [slow, fast], Hedged(true)));
        var client = host.CreateClient();

        var result = await Load.SendAsync(4, concurrency: 1, _ => client.PostAsync("/orders", new StringContent("x")));

        Assert.Equal(4, result.Succeeded);
        Assert.Equal(4, slow.Requests + fast.Requests);
    }

    [Fact]
    public async Task HedgingOff_WaitsForTheSlowEndpoint()
    {
        await using var slow = await TestBackend.StartAsync(delay: TimeSpan.FromMilliseconds(200));
        await using var fast = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [slow, fast], Hedged(false)));

        var result = await Load.SendAsync(4, concurrency: 1, _ => host.CreateClient().GetAsync("/work"));

        Assert.Equal(4, result.Succeeded);
        Assert.Equal(2, slow.Requests);
        Assert.Equal(2, fast.Requests);
    }
}
