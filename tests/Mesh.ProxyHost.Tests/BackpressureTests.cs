using System.Text.Json;
using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// An endpoint's 429, or 503 with <c>Retry-After</c>, through the sidecar, called with curl: the retry goes to another
/// endpoint, later requests spare the endpoint until the time it named, and it is never ejected for it; a 503 without
/// <c>Retry-After</c> keeps today's behaviour.
/// </summary>
/// <remarks>Serial: the test reads counts off <c>/metrics</c>, to which every sidecar in the process contributes.</remarks>
[Collection(SerialCollection.Name)]
public class BackpressureTests
{
    // Round robin: the first request goes to the first endpoint, and without backpressure it would get a third of them.
    private const string Policy = """{ "orders": { "LoadBalancer": "RoundRobin", "Retry": { "MaxRetryAfter": "10ms" }, "Backpressure": { "MaxDuration": "1m" } } }""";

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task ARetryAfterBackpressure_GoesToAnotherEndpoint_AndTheEndpointIsSparedNotEjected(int status)
    {
        // Real clock: Retry-After 30 s (cap 1 min) outlasts the test however slow the machine is.
        await using var loaded = await TestBackend.StartAsync(FaultyHandlers.PushingBack(status, retryAfterSeconds: 30));
        await using var b = await TestBackend.StartAsync();
        await using var c = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [loaded.Url, b.Url, c.Url] }, Policy));

        var statuses = await Curl.StatusesAsync(sidecar.OutboundPort, "orders", "/work", 30);

        Assert.Equal(Enumerable.Repeat(200, 30), statuses);
        Assert.Equal(1, loaded.Requests);
        Assert.Equal(30, b.Requests + c.Requests);
        var metrics = (await Scrape.WithSeriesAsync(sidecar, "mesh_endpoint_backpressure_total{")).Split('\n');
        Assert.Contains(metrics, line => line.StartsWith("mesh_endpoint_backpressure_total{", StringComparison.Ordinal) &&
            line.Contains($"http_response_status_code=\"{status}\"", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(metrics, line => line.StartsWith("mesh_endpoints{", StringComparison.Ordinal) &&
            line.Contains("mesh_endpoint_state=\"loaded\"", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));
        Assert.DoesNotContain(metrics, line => line.StartsWith("mesh_endpoint_ejections_total{", StringComparison.Ordinal));

        // /stats shows the endpoint loaded, with the answer that asked for it.
        using var stats = JsonDocument.Parse(await sidecar.GetAdminAsync("/stats"));
        var endpoint = stats.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service").GetString() == "orders")
            .GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("endpoint").GetString() == new Uri(loaded.Url).Authority);
        Assert.Equal("loaded", endpoint.GetProperty("state").GetString());
        Assert.Equal($"status_{status}", endpoint.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A503WithoutRetryAfter_KeepsTodaysBehaviour_RetriedElsewhere_AndEjectedAfterFiveFailures()
    {
        await using var failing = await TestBackend.StartAsync(FaultyHandlers.PushingBack(503, retryAfterSeconds: null));
        await using var b = await TestBackend.StartAsync();
        await using var c = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [failing.Url, b.Url, c.Url] }, Policy));

        var statuses = await Curl.StatusesAsync(sidecar.OutboundPort, "orders", "/work", 30);

        Assert.Equal(Enumerable.Repeat(200, 30), statuses);
        Assert.Equal(5, failing.Requests);
        var metrics = (await Scrape.WithSeriesAsync(sidecar, "mesh_endpoint_ejections_total{")).Split('\n');
        Assert.Contains(metrics, line => line.StartsWith("mesh_endpoint_ejections_total{", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));
        Assert.DoesNotContain(metrics, line => line.StartsWith("mesh_endpoint_backpressure_total{", StringComparison.Ordinal));
    }
}
