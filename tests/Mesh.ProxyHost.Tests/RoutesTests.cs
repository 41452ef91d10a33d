using System.Collections.Concurrent;
using System.Text.Json;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Routes through the sidecar, configured in its JSON file: the first route a request matches sets its policy and its
/// <c>mesh_route</c> label, and a POST route marked idempotent is retried while an unmatched POST is not.
/// </summary>
/// <remarks>Serial, as <see cref="MetricsTests"/>: a sidecar's exporter listens to every meter named "Mesh" in the process.</remarks>
[Collection(SerialCollection.Name)]
public class RoutesTests
{
    private const string Routes = """
        { "orders": { "Routes": {
            "create-order": { "Match": { "Method": "POST", "Path": "/orders" }, "Idempotent": true },
            "canary-create": { "Order": -1, "Match": { "Method": "POST", "Path": "/orders", "Headers": { "x-canary": "1" } }, "Idempotent": true },
            "get-order": { "Match": { "Path": "/orders/{id}" }, "Timeouts": { "PerTry": "2s" } }
        } } }
        """;

    [Fact]
    public async Task Sidecar_RoutesByMatch_RetriesTheIdempotentPostRoute_AndLabelsMetricsWithTheRoute()
    {
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var backend = await TestBackend.StartAsync(context =>
        {
            var key = $"{context.Request.Path}{context.Request.Headers["x-canary"]}";
            context.Response.StatusCode = seen.AddOrUpdate(key, 1, static (_, n) => n + 1) == 1 ? 503 : 200;
            return context.Response.WriteAsync("x");
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }, Routes));
        using var client = sidecar.OutboundClient("orders");

        using var created = await client.PostAsync("/orders", new StringContent("{}"));
        using var canary = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent("{}") };
        canary.Headers.Add("x-canary", "1");
        using var canaryCreated = await client.SendAsync(canary);
        using var paid = await client.PostAsync("/payments", new StringContent("{}"));
        using var order = await client.GetAsync("/orders/42");

        Assert.Equal(200, (int)created.StatusCode);
        Assert.Equal(2, seen["/orders"]);
        Assert.Equal(200, (int)canaryCreated.StatusCode);
        Assert.Equal(2, seen["/orders1"]);
        Assert.Equal(503, (int)paid.StatusCode);
        Assert.Equal(1, seen["/payments"]);
        Assert.Equal(200, (int)order.StatusCode);

        var lines = await MetricsLinesAsync(sidecar, "mesh_requests_total{", 4);
        Assert.Contains(lines, l => l.Contains("mesh_route=\"create-order\"", StringComparison.Ordinal) && l.Contains("http_response_status_code=\"200\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("mesh_route=\"canary-create\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("mesh_route=\"default\"", StringComparison.Ordinal) && l.Contains("http_response_status_code=\"503\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("mesh_route=\"get-order\"", StringComparison.Ordinal));
        var retries = await MetricsLinesAsync(sidecar, "mesh_retries_total{", 2);
        Assert.Contains(retries, l => l.Contains("mesh_route=\"create-order\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stats_PerRoute_MatchKnownTraffic_AndTheTapFiltersByRoute()
    {
        // Every 4th answer is a 503 and GETs are retried: the reports route's requests succeed, with known retries.
        var n = 0;
        await using var backend = await TestBackend.StartAsync(context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref n) % 4 == 1 ? 503 : 200;
            return context.Response.WriteAsync("x");
        });
        const string routes = """{ "orders": { "FailureAccrual": { "Enabled": false }, "Retry": { "BudgetRatio": 1 }, "Routes": { "reports": { "Match": { "PathPrefix": "/reports" } } } } }""";
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url], ["billing"] = [backend.Url] }, routes));
        using var client = sidecar.OutboundClient("orders");
        using (var billing = sidecar.OutboundClient("billing"))
        {
            (await billing.GetAsync("/bills")).Dispose();
        }

        var attemptsBefore = backend.Requests;
        for (var i = 0; i < 30; i++)
        {
            (await client.GetAsync($"/reports/{i}")).Dispose();
        }

        var reportAttempts = backend.Requests - attemptsBefore;
        for (var i = 0; i < 10; i++)
        {
            (await client.GetAsync("/work")).Dispose();
        }

        using var stats = JsonDocument.Parse(await sidecar.GetAdminAsync("/stats?window=1m&service=ORDERS"));
        var orders = Assert.Single(stats.RootElement.GetProperty("services").EnumerateArray());
        Assert.Equal("orders", orders.GetProperty("service").GetString());
        var byRoute = orders.GetProperty("routes").EnumerateArray().ToDictionary(r => r.GetProperty("route").GetString()!);
        Assert.Equal(["default", "reports"], byRoute.Keys.Order(StringComparer.Ordinal));
        var reports = byRoute["reports"];
        Assert.Equal(30, reports.GetProperty("requests").GetProperty("count").GetInt64());
        Assert.Equal(0.5, reports.GetProperty("requests").GetProperty("per_second").GetDouble());
        Assert.Equal(1.0, reports.GetProperty("requests").GetProperty("success_rate").GetDouble());
        Assert.True(reportAttempts > 30, $"the reports route's 503s were retried: {reportAttempts} attempts");
        Assert.Equal(Math.Round((reportAttempts - 30) / 60.0, 3), reports.GetProperty("retries_per_second").GetDouble());
        foreach (var percentile in new[] { "p50", "p95", "p99" })
        {
            Assert.True(reports.GetProperty("requests").GetProperty("latency_ms").GetProperty(percentile).GetDouble() > 0);
        }

        Assert.Equal(10, byRoute["default"].GetProperty("requests").GetProperty("count").GetInt64());

        // The tap with route=reports streams only that route's requests.
        using var admin = new HttpClient { BaseAddress = sidecar.Admin };
        using var tap = await admin.GetAsync("/tap?route=reports&limit=3", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await tap.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lines.Add(line);
            }
        });
        for (var i = 0; !reading.IsCompleted && i < 1_000; i++)
        {
            (await client.GetAsync("/work")).Dispose();
            (await client.GetAsync($"/reports/tapped{i}")).Dispose();
        }

        await reading;
        Assert.Equal(3, lines.Count);
        Assert.All(lines, line =>
        {
            using var e = JsonDocument.Parse(line);
            Assert.Equal("reports", e.RootElement.GetProperty("route").GetString());
            Assert.StartsWith("/reports/tapped", e.RootElement.GetProperty("path").GetString(), StringComparison.Ordinal);
        });
    }

    // The lines of /metrics starting with prefix, once there are at least count of them (the exporter may serve a cached scrape).
    internal static async Task<string[]> MetricsLinesAsync(Sidecar sidecar, string prefix, int count)
    {
        string[] lines = [];
        await Eventually.TrueAsync(
            async () =>
            {
                lines = [.. (await sidecar.GetAdminAsync("/metrics")).Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))];
                return lines.Length >= count;
            },
            $"/metrics has {count} series of {prefix}");
        return lines;
    }
}
