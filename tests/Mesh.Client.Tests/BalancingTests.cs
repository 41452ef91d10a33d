using Mesh.Client.Tests.Infrastructure;

namespace Mesh.Client.Tests;

public class BalancingTests
{
    private static async Task SendAsync(HttpClient client, int requests, int concurrency)
    {
        var remaining = requests;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                using var response = await client.GetAsync("/work");
            }
        }));
    }

    [Fact]
    public async Task SlowEndpoint_GetsAtMostTwentyPercent_AfterWarmUp()
    {
        await using var fast1 = await TestBackend.StartAsync();
        await using var fast2 = await TestBackend.StartAsync();
        await using var slow = await TestBackend.StartAsync(delay: TimeSpan.FromMilliseconds(50));
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [fast1, fast2, slow]));
        var client = host.CreateClient();

        await SendAsync(client, 60, concurrency: 4);
        foreach (var backend in new[] { fast1, fast2, slow })
        {
            backend.ResetCount();
        }

        await SendAsync(client, 600, concurrency: 4);

        var total = fast1.Requests + fast2.Requests + slow.Requests;
        Assert.Equal(600, total);
        Assert.True(slow.Requests <= total * 0.2, $"slow endpoint got {slow.Requests} of {total}");
    }

    [Fact]
    public async Task EndpointAnswering503Immediately_GetsNoMoreThanItsFairShare()
    {
        await using var ok1 = await TestBackend.StartAsync();
        await using var ok2 = await TestBackend.StartAsync();
        await using var failing = await TestBackend.StartAsync(status: 503);
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [ok1, ok2, failing]));
        var client = host.CreateClient();

        await SendAsync(client, 60, concurrency: 4);
        failing.ResetCount();
        ok1.ResetCount();
        ok2.ResetCount();
        await SendAsync(client, 600, concurrency: 4);

        var total = ok1.Requests + ok2.Requests + failing.Requests;
        Assert.True(failing.Requests <= total / 3, $"failing endpoint got {failing.Requests} of {total}");
    }

    [Fact]
    public async Task RoundRobin_FromConfiguration_SpreadsEvenly()
    {
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync(delay: TimeSpan.FromMilliseconds(20));
        var config = MeshClientHost.EndpointConfig("orders", [a, b], new Dictionary<string, string?> { ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin" });
        await using var host = await MeshClientHost.StartAsync(config);

        await SendAsync(host.CreateClient(), 100, concurrency: 1);

        Assert.Equal(50, a.Requests);
        Assert.Equal(50, b.Requests);
    }
}
