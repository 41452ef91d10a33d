using System.Globalization;
using System.Net.Sockets;
using Mesh.Prometheus.Tests.Infrastructure;

namespace Mesh.Prometheus.Tests;

/// <summary>The sidecar's /metrics as Prometheus's tools read it: well-formed, and carrying the process around Mesh.</summary>
[Collection(SidecarCollection.Name)]
public class ExpositionTests
{
    // OpenTelemetry's semantic conventions name these gauges *.count (dotnet.assembly.count, process.thread.count, ...),
    // and the exporter keeps the name; promtool's linter wants `_count` kept for histograms and summaries. That lint
    // finding, on these names alone, is accepted; anything else promtool reports fails the test.
    private static readonly string[] SemanticConventionCounts =
        ["dotnet_assembly_count", "dotnet_process_cpu_count", "dotnet_timer_count", "process_thread_count", "process_unix_file_descriptor_count"];

    [Fact]
    public async Task Exposition_PassesPromtoolCheckMetrics()
    {
        // Every series the golden metrics need: requests, attempts, retries, refused retries and an ejection (the failing
        // endpoint, taken in turn, fails 5 times in a row; a 10% budget with no reserve refuses the first retries).
        await using var healthy = await TestBackend.StartAsync();
        await using var failing = await TestBackend.StartAsync(status: 503);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(
            new Dictionary<string, string[]> { ["orders"] = [healthy.Url, failing.Url] },
            """{ "orders": { "LoadBalancer": "RoundRobin", "Retry": { "BudgetRatio": 0.1, "BudgetMinPerSecond": 0 } } }"""));
        using (var client = sidecar.OutboundClient("orders"))
        {
            for (var i = 0; i < 30; i++)
            {
                using var response = await client.GetAsync("/work");
            }
        }

        var text = await MetricsWithAsync(
            sidecar,
            "mesh_requests_total{", "mesh_request_duration_seconds_bucket{", "mesh_attempts_total{", "mesh_retries_total{", "mesh_retry_budget_exhausted_total{",
            "mesh_endpoint_ejections_total{", "mesh_endpoints{", "kestrel_active_connections{", "process_cpu_time_seconds_total{", "dotnet_gc_collections_total{");

        var result = await Promtool.RunAsync(["check", "metrics"], text);

        var problems = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(static line => !SemanticConventionCounts.Any(name => line == $"{name} non-histogram and non-summary metrics should not have \"_count\" suffix"))
            .ToList();
        Assert.Empty(problems);

        // Exit 3 means lint findings only (the accepted ones above); 1 would be an exposition promtool cannot parse.
        Assert.True(result.ExitCode is 0 or 3, result.ToString());
    }

    [Fact]
    public async Task RuntimeAndProcessMetrics_AreExposed()
    {
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()));
        var before = Value(await sidecar.GetAdminAsync("/metrics"), "dotnet_gc_collections_total{", "gc_heap_generation=\"gen2\"");

        GC.Collect(2, GCCollectionMode.Forced, blocking: true);

        // Garbage collections (a forced gen2 counts), CPU, memory and the thread pool, from the runtime and the process.
        var text = "";
        await Eventually.TrueAsync(
            async () =>
            {
                text = await sidecar.GetAdminAsync("/metrics");
                return Value(text, "dotnet_gc_collections_total{", "gc_heap_generation=\"gen2\"") > before;
            },
            "dotnet_gc_collections_total{gc_heap_generation=\"gen2\"} counts the forced collection");
        Assert.True(Value(text, "process_cpu_time_seconds_total{", "cpu_mode=\"user\"") > 0);
        Assert.True(Value(text, "process_memory_usage_bytes{") > 1024 * 1024);
        Assert.True(Value(text, "dotnet_gc_last_collection_heap_size_bytes{", "gc_heap_generation=\"gen0\"") >= 0);
        Assert.True(Value(text, "dotnet_thread_pool_thread_count_total{") >= 1);
        Assert.True(Value(text, "process_thread_count{") >= 1);
    }

    [Fact]
    public async Task OpenConnections_AreCountedPerListener()
    {
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()));
        var outbound = $"server_port=\"{sidecar.OutboundPort}\"";
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync("127.0.0.1", sidecar.OutboundPort);
            }

            await Eventually.TrueAsync(
                async () => Value(await sidecar.GetAdminAsync("/metrics"), "kestrel_active_connections{", outbound) == 3,
                "kestrel_active_connections shows the 3 connections open on the outbound listener");
        }
        finally
        {
            clients.ForEach(static c => c.Dispose());
        }

        await Eventually.TrueAsync(
            async () => Value(await sidecar.GetAdminAsync("/metrics"), "kestrel_active_connections{", outbound) == 0,
            "kestrel_active_connections drops to 0 once they are closed");
    }

    private static async Task<string> MetricsWithAsync(Sidecar sidecar, params string[] prefixes)
    {
        var text = "";
        await Eventually.TrueAsync(
            async () =>
            {
                text = await sidecar.GetAdminAsync("/metrics");
                return prefixes.All(p => text.Contains("\n" + p, StringComparison.Ordinal));
            },
            $"/metrics has {string.Join(", ", prefixes)}");
        return text;
    }

    // The value of the one series whose line starts with the prefix and contains every part; NaN when there is none.
    private static double Value(string text, string prefix, params string[] parts)
    {
        var lines = text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && parts.All(p => l.Contains(p, StringComparison.Ordinal))).ToList();
        return lines.Count switch
        {
            0 => double.NaN,
            1 => double.Parse(lines[0][(lines[0].LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"{lines.Count} series match {prefix} {string.Join(" ", parts)}: {string.Join(" | ", lines)}"),
        };
    }
}
