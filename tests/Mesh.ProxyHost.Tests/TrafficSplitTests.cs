using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// <c>Mesh:Services:{s}:Backends</c> through the sidecar, its configuration file rewritten under load as an operator
/// shifting traffic would: each new split takes effect without a failed request, a header-matched canary route sends
/// every request carrying <c>x-canary: 1</c> to v2, and <c>/metrics</c> names the backend of each request.
/// </summary>
/// <remarks>Serial, as <see cref="MetricsTests"/>: a sidecar's exporter listens to every meter named "Mesh" in the process.</remarks>
[Collection(SerialCollection.Name)]
public class TrafficSplitTests
{
    // File watching is asynchronous (and debounced by the configuration provider): allow it a minute.
    private const int ReloadAttempts = 1200;

    private static string Config(TestBackend v1, TestBackend v2, int weight1, int weight2) => Sidecar.Json(
        new Dictionary<string, string[]> { ["orders-v1"] = [v1.Url], ["orders-v2"] = [v2.Url] },
        $$"""
        { "orders": {
            "Backends": { "orders-v1": {{weight1}}, "orders-v2": {{weight2}} },
            "Routes": { "canary": { "Match": { "Headers": { "x-canary": "1" } }, "Backends": { "orders-v2": 1 } } }
        } }
        """);

    [Fact]
    public async Task WeightsRewrittenUnderLoad_EachSplitTakesEffect_WithoutAFailedRequest()
    {
        await using var v1 = await TestBackend.StartAsync();
        await using var v2 = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Config(v1, v2, 90, 10));
        using var load = new ContinuousLoad(sidecar, loops: 4);
        await Eventually.TrueAsync(() => Task.FromResult(v1.Requests >= 100 && v2.Requests > 0), "the load is flowing to both backends");

        await sidecar.RewriteConfigAsync(Config(v1, v2, 0, 100));
        await Eventually.TrueAsync(() => ContinuousLoad.NoNewRequestsWhileOthersServeAsync(v1, v2), "v1 gets nothing once its weight is 0", ReloadAttempts);

        await sidecar.RewriteConfigAsync(Config(v1, v2, 100, 0));
        await Eventually.TrueAsync(() => ContinuousLoad.NoNewRequestsWhileOthersServeAsync(v2, v1), "v2 gets nothing once its weight is 0", ReloadAttempts);

        await sidecar.RewriteConfigAsync(Config(v1, v2, 50, 50));
        var (v1Before, v2Before) = (v1.Requests, v2.Requests);
        await Eventually.TrueAsync(() => Task.FromResult(v1.Requests > v1Before + 50 && v2.Requests > v2Before + 50), "both take traffic again", ReloadAttempts);

        var (sent, failures) = await load.StopAsync();
        Assert.True(sent > 300, $"{sent} requests sent");
        Assert.Empty(failures);
        Assert.Equal(sent, v1.Requests + v2.Requests);
    }

    [Fact]
    public async Task CanaryHeader_GoesToV2EveryTime_AndMetricsNameTheBackend()
    {
        await using var v1 = await TestBackend.StartAsync();
        await using var v2 = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Config(v1, v2, 100, 0));
        using var client = sidecar.OutboundClient("orders");

        for (var i = 0; i < 200; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/work");
            request.Headers.Add("x-canary", "1");
            using var response = await client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
        }

        for (var i = 0; i < 50; i++)
        {
            using var response = await client.GetAsync("/work");
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(200, v2.Requests);
        Assert.Equal(50, v1.Requests);
        var lines = await RoutesTests.MetricsLinesAsync(sidecar, "mesh_requests_total{", 2);
        Assert.Contains(lines, l => l.Contains("mesh_backend=\"orders-v2\"", StringComparison.Ordinal) && l.Contains("mesh_route=\"canary\"", StringComparison.Ordinal) && l.EndsWith(" 200", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("mesh_backend=\"orders-v1\"", StringComparison.Ordinal) && l.Contains("mesh_route=\"default\"", StringComparison.Ordinal) && l.EndsWith(" 50", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABackendNamingNoService_IsAConfigurationError_WithItsKey()
    {
        var json = Sidecar.Json(
            new Dictionary<string, string[]> { ["orders-v1"] = ["http://127.0.0.1:9"] },
            """{ "orders": { "Backends": { "orders-v1": 90, "orders-v3": 10 }, "Routes": { "canary": { "Backends": { "orders-v4": -1 } } } } }""");

        var error = await Assert.ThrowsAsync<Configuration.InvalidConfigurationException>(() => Sidecar.StartAsync(json));

        Assert.Contains("Mesh:Services:orders:Backends:orders-v3 names no configured service: give it endpoints under Services:orders-v3 (or Mesh:Discovery:Dns:Services:orders-v3)", error.Errors);
        Assert.Contains("Mesh:Services:orders:Routes:canary:Backends:orders-v4 must be in [0, 1000000], was -1", error.Errors);
        Assert.Contains("Mesh:Services:orders:Routes:canary:Backends must give at least one backend a weight above 0", error.Errors);
    }
}
