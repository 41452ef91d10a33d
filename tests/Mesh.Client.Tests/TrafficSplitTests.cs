using System.Diagnostics.Metrics;
using Mesh.Client.Tests.Infrastructure;
using Mesh.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Xunit.Abstractions;

namespace Mesh.Client.Tests;

/// <summary>
/// <c>Mesh:Services:{s}:Backends</c> in-process, over two real Kestrel backends that are services of their own
/// (<c>orders-v1</c>, <c>orders-v2</c>): the split's share, a canary route pinned by a header, and weights changed under
/// load. The draws are seeded, so the counts are the same on every run.
/// </summary>
public class TrafficSplitTests(ITestOutputHelper output)
{
    private const int Seed = 14;

    private static Dictionary<string, string?> Split(TestBackend v1, TestBackend v2, int weight1, int weight2, Dictionary<string, string?>? extra = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Services:orders-v1:http:0"] = v1.Url,
            ["Services:orders-v2:http:0"] = v2.Url,
            ["Mesh:Services:orders:Backends:orders-v1"] = weight1.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mesh:Services:orders:Backends:orders-v2"] = weight2.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra ?? [])
        {
            config[key] = value;
        }

        return config;
    }

    private static Task<MeshClientHost> StartAsync(Dictionary<string, string?> config) =>
        MeshClientHost.StartAsync(config, s => s.AddSingleton(new MeshRandom(Seed)));

    [Fact]
    public async Task TenThousandRequests_At90To10_LandWithinTheBinomial999Bounds_AndMetricsNameTheBackend()
    {
        await using var v1 = await TestBackend.StartAsync();
        await using var v2 = await TestBackend.StartAsync();
        await using var host = await StartAsync(Split(v1, v2, 90, 10));
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        using var attempts = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.attempts");
        var client = host.CreateClient();

        var result = await Load.SendAsync(10_000, concurrency: 8, _ => client.GetAsync("/work"));

        Assert.Equal(10_000, result.Succeeded);
        Assert.Equal(10_000, v1.Requests + v2.Requests);

        // v2's count is Binomial(10,000, 0.1): mean 1,000, sd 30. The central 99.9 % of it, computed exactly: [903, 1100].
        var (low, high) = Binomial.CentralInterval(10_000, 0.1, 0.999);
        Assert.Equal((903, 1100), (low, high));
        output.WriteLine($"v1 {v1.Requests}, v2 {v2.Requests}; v2's 99.9 % interval [{low}, {high}]");
        Assert.InRange(v2.Requests, low, high);

        var byBackend = requests.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["mesh.backend"]!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["orders-v1"] = v1.Requests, ["orders-v2"] = v2.Requests }, byBackend);
        Assert.All(attempts.GetMeasurementSnapshot(), m => Assert.Equal(
            (string)m.Tags["mesh.backend"]! == "orders-v1" ? new Uri(v1.Url).Authority : new Uri(v2.Url).Authority,
            m.Tags["mesh.endpoint"]));
    }

    [Fact]
    public async Task CanaryRoute_MatchedByHeader_SendsEveryRequestToV2_WhileTheRestAreSplit()
    {
        await using var v1 = await TestBackend.StartAsync();
        await using var v2 = await TestBackend.StartAsync();
        var config = Split(v1, v2, 100, 0, new()
        {
            ["Mesh:Services:orders:Routes:canary:Match:Headers:x-canary"] = "1",
            ["Mesh:Services:orders:Routes:canary:Backends:orders-v2"] = "1",
        });
        await using var host = await StartAsync(config);
        var client = host.CreateClient();

        var canary = await Load.SendAsync(1_000, concurrency: 8, _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/work");
            request.Headers.Add("x-canary", "1");
            return client.SendAsync(request);
        });
        Assert.Equal(1_000, canary.Succeeded);
        Assert.Equal(1_000, v2.Requests);
        Assert.Equal(0, v1.Requests);

        var plain = await Load.SendAsync(200, concurrency: 8, _ => client.GetAsync("/work"));
        Assert.Equal(200, plain.Succeeded);
        Assert.Equal(200, v1.Requests);
        Assert.Equal(1_000, v2.Requests);
    }

    [Fact]
    public async Task WeightsChangedUnderLoad_FailNothing_AndTheLastWeightsHold()
    {
        await using var v1 = await TestBackend.StartAsync();
        await using var v2 = await TestBackend.StartAsync();
        await using var host = await StartAsync(Split(v1, v2, 90, 10));
        var client = host.CreateClient();

        // A reload every 100th of 6,000 requests, 8 in flight, cycling the weights: 60 reloads under load, counted, not timed.
        (int, int)[] weights = [(50, 50), (0, 100), (100, 0), (90, 10)];
        var reloads = 0;
        var result = await Load.SendAsync(6_000, concurrency: 8, i =>
        {
            if (i % 100 == 99)
            {
                var (w1, w2) = weights[Interlocked.Increment(ref reloads) % weights.Length];
                host.Configuration.Replace(Split(v1, v2, w1, w2));
            }

            return client.GetAsync("/work");
        });

        Assert.Equal(60, reloads);
        Assert.Empty(result.Exceptions);
        Assert.Equal(6_000, result.Succeeded);
        Assert.Equal(6_000, v1.Requests + v2.Requests);
        Assert.True(v1.Requests > 0 && v2.Requests > 0);

        // All on v2: v1 gets nothing more.
        host.Configuration.Replace(Split(v1, v2, 0, 100));
        var before = v1.Requests;
        var after = await Load.SendAsync(500, concurrency: 8, _ => client.GetAsync("/work"));
        Assert.Equal(500, after.Succeeded);
        Assert.Equal(before, v1.Requests);
    }

    [Fact]
    public async Task ARetryDrawsTheBackendAgain_SoABrokenCanarysFailuresAreRecovered()
    {
        await using var v1 = await TestBackend.StartAsync();
        await using var broken = await TestBackend.StartAsync(status: 503);
        await using var host = await StartAsync(Split(v1, broken, 50, 50, new()
        {
            ["Mesh:Services:orders:Retry:BudgetRatio"] = "1",
            ["Mesh:Services:orders-v2:FailureAccrual:Enabled"] = "false",
        }));
        var client = host.CreateClient();

        var result = await Load.SendAsync(400, concurrency: 4, _ => client.GetAsync("/work"));

        // A request fails only if all three attempts drew v2: about 1 in 8, where a split per request would fail 1 in 2.
        output.WriteLine($"failed {result.FailedResponses} of 400; attempts v1 {v1.Requests}, v2 {broken.Requests}");
        Assert.Equal(400, result.Succeeded + result.FailedResponses);
        Assert.InRange(result.FailedResponses, 20, 80);
        Assert.True(broken.Requests > 150, $"v2 took its share of attempts: {broken.Requests}");
    }
}
