using System.Diagnostics;
using System.Text.Json.Nodes;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests.Performance;

/// <summary>
/// The NativeAOT build's memory settings (src/Mesh.ProxyHost/Mesh.ProxyHost.csproj, docs/performance.md "The NativeAOT
/// build"): EventSource support off, a 4 MiB gen0 budget and 1 MiB GC regions. They cost no metric: the sidecar's binary
/// started with the same settings still proxies and its /metrics still carries the runtime, the process, Kestrel and Mesh.
/// </summary>
public sealed class NativeAotSettingsTests
{
    // The runtime knob behind MSBuild's EventSourceSupport, and the GC sizes the NativeAOT build bakes in (hex bytes).
    private const string EventSourceSwitch = "System.Diagnostics.Tracing.EventSource.IsSupported";
    private const string Gen0Budget = "400000";
    private const string RegionSize = "100000";

    [Fact]
    public async Task WithoutEventSourceAndWithSmallGcBudget_MetricsStillCarryRuntimeProcessKestrelAndMesh()
    {
        await using var backend = await TestBackend.StartAsync(context => context.Response.WriteAsync("orders"));
        var runtimeConfig = Path.Combine(Path.GetTempPath(), $"mesh-aot-settings-{Guid.NewGuid():N}.runtimeconfig.json");
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Mesh.ProxyHost.runtimeconfig.json")))!;
        config["runtimeOptions"]!["configProperties"]![EventSourceSwitch] = false;
        await File.WriteAllTextAsync(runtimeConfig, config.ToJsonString());
        try
        {
            var outbound = FreePort.Get();
            var admin = FreePort.Get();
            await using var sidecar = await RunningSidecar.StartAsync(
            [
                .. RunningSidecar.OutboundOnly(outbound, admin),
                $"--Services:orders:http:0={backend.Url}",
            ], admin, start => WithNativeAotSettings(start, runtimeConfig));

            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < 50; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{outbound}/");
                request.Headers.Host = "orders";
                using var response = await client.SendAsync(request);
                Assert.Equal("orders", await response.Content.ReadAsStringAsync());
            }

            var metrics = await client.GetStringAsync($"http://127.0.0.1:{admin}/metrics");
            string[] series =
            [
                "mesh_requests_total{", "mesh_request_duration_seconds_bucket{", "mesh_attempts_total{", "kestrel_active_connections{",
                "dotnet_gc_collections_total{", "dotnet_gc_last_collection_heap_size_bytes{", "dotnet_thread_pool_thread_count_total{",
                "process_cpu_time_seconds_total{", "process_memory_usage_bytes{",
            ];
            Assert.All(series, name => Assert.Contains(name, metrics, StringComparison.Ordinal));
            Assert.Contains("mesh_service=\"orders\"", metrics, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(runtimeConfig);
        }
    }

    // `dotnet exec --runtimeconfig FILE Mesh.ProxyHost.dll ...`, with the GC sizes in the environment as a user would override them.
    private static void WithNativeAotSettings(ProcessStartInfo start, string runtimeConfig)
    {
        var dll = start.ArgumentList.IndexOf(start.ArgumentList.Single(static a => a.EndsWith("Mesh.ProxyHost.dll", StringComparison.Ordinal)));
        start.ArgumentList.Insert(dll, "exec");
        start.ArgumentList.Insert(dll + 1, "--runtimeconfig");
        start.ArgumentList.Insert(dll + 2, runtimeConfig);
        start.Environment["DOTNET_GCgen0size"] = Gen0Budget;
        start.Environment["DOTNET_GCRegionSize"] = RegionSize;
    }
}
