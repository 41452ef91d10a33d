using System.Diagnostics.Metrics;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.Client.Tests;

public class DiscoveryTests
{
    private static readonly Dictionary<string, string?> RoundRobin = new() { ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin" };

    [Fact]
    public async Task EndpointAddedAndRemovedAtRuntime_GetsTrafficThenStops_WithoutFailingRequests()
    {
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync();
        await using var c = await TestBackend.StartAsync(delay: TimeSpan.FromMilliseconds(20));
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a, b], RoundRobin));
        var client = host.CreateClient();

        using var stop = new CancellationTokenSource();
        var failures = 0;
        var sent = 0;
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync("/work", CancellationToken.None);
                Interlocked.Increment(ref sent);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));

        // Added: c starts receiving traffic.
        host.Configuration.Replace(MeshClientHost.EndpointConfig("orders", [a, b, c], RoundRobin));
        await Eventually.TrueAsync(() => Task.FromResult(c.Requests > 10), "the added endpoint receives traffic");

        // Removed while requests to it (20 ms each) are in flight: they finish, and it gets no new ones.
        host.Configuration.Replace(MeshClientHost.EndpointConfig("orders", [a, c], RoundRobin));
        await Eventually.TrueAsync(
            async () =>
            {
                var before = b.Requests;
                await Task.Delay(200);
                return b.Requests == before;
            },
            "the removed endpoint stops receiving traffic");
        var removedCount = b.Requests;
        var sentBefore = Volatile.Read(ref sent);
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref sent) > sentBefore + 100), "100 more requests are sent");

        await stop.CancelAsync();
        await load;
        Assert.Equal(removedCount, b.Requests);
        Assert.Equal(0, failures);
    }

    [Fact]
    public async Task DiscoveryReturningNothing_KeepsLastGoodEndpoints_AndSaysSoInAMetric()
    {
        await using var a = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a]));
        using var errors = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.discovery.errors");
        var client = host.CreateClient();
        (await client.GetAsync("/work")).EnsureSuccessStatusCode();

        host.Configuration.Replace(new Dictionary<string, string?> { ["Services:orders:http"] = null });
        await Eventually.TrueAsync(() => Task.FromResult(errors.GetMeasurementSnapshot().Count > 0), "discovery reports the empty answer");

        for (var i = 0; i < 20; i++)
        {
            (await client.GetAsync("/work")).EnsureSuccessStatusCode();
        }

        Assert.Equal(21, a.Requests);
        var error = errors.GetMeasurementSnapshot()[0];
        Assert.Equal("orders", error.Tags["mesh.service"]);
        Assert.Equal("empty", error.Tags["mesh.discovery.reason"]);
    }

    [Fact]
    public async Task ServiceWithNoEndpoints_FailsFastWithClearError()
    {
        await using var host = await MeshClientHost.StartAsync(new Dictionary<string, string?>());
        var ex = await Assert.ThrowsAsync<Mesh.Pipeline.NoEndpointsException>(() => host.CreateClient().GetAsync("/work"));
        Assert.Contains("service 'orders' has no endpoints", ex.Message, StringComparison.Ordinal);
    }
}
