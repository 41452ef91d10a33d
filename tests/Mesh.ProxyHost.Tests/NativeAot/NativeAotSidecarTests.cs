using System.Text.Json;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Mesh.ProxyHost.Tests.NativeAot;

/// <summary>
/// The sidecar as the NativeAOT build ships it (published once per run: <see cref="NativeAotPublish"/>), run as a native
/// process and called with curl: what trimming and AOT compilation can break without the JIT build noticing
/// (reflection-based JSON, configuration binding, a type only reflection reaches) breaks here. The publish carries no
/// trim or AOT warning from Mesh's own code.
/// </summary>
[Collection(NativeAotCollection.Name)]
public sealed class NativeAotSidecarTests(NativeAotPublish aot, ITestOutputHelper output)
{
    [Fact]
    public void ThePublish_HasNoTrimOrAotWarning_FromMeshCode()
    {
        output.WriteLine($"NativeAOT publish: {aot.Took.TotalSeconds:F0} s, binary {new FileInfo(aot.Executable).Length} bytes, {aot.Warnings.Count} distinct trim/AOT warnings");
        foreach (var warning in aot.Warnings)
        {
            output.WriteLine(warning);
        }

        var meshs = aot.Warnings.Where(IsFromMeshCode).ToList();
        Assert.True(meshs.Count == 0, $"{meshs.Count} trim/AOT warnings from Mesh's code:\n{string.Join('\n', meshs)}");
    }

    [Fact]
    public async Task TheNativeSidecar_ProxiesByHost_AndItsAdminServesMetricsAndConfig()
    {
        await using var backend = await TestBackend.StartAsync(static context => context.Response.WriteAsync($"orders saw {context.Request.Path}"));
        var config = Path.Combine(aot.Root, $"mesh-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Mesh": { "Services": { "orders": { "Timeouts": { "Total": "30s", "PerTry": "10s" }, "Retry": { "BudgetRatio": 0.25 } } } },
              "Services": { "orders": { "http": [ "{{backend.Url}}" ] } }
            }
            """);
        var outbound = FreePort.Get();
        var admin = FreePort.Get();
        await using var sidecar = await RunningSidecar.StartAsync(
            [.. RunningSidecar.OutboundOnly(outbound, admin), $"--Mesh:ConfigFile={config}"], admin, executable: aot.Executable);

        var answer = await Curl.RunAsync("-sS", "-H", "Host: orders", "-w", "\n%{http_code}", $"http://127.0.0.1:{outbound}/native");
        Assert.Equal("orders saw /native\n200", answer);

        // The build turns EventSource support off and bakes in a 4 MiB gen0 budget and 1 MiB GC regions (the csproj):
        // none of it costs a metric, as the runtime, process, Kestrel and Mesh meters are Meters, not EventSources.
        var metrics = await Curl.RunAsync("-sS", "--fail", $"http://127.0.0.1:{admin}/metrics");
        string[] series =
        [
            "mesh_requests_total{", "mesh_request_duration_seconds_bucket{", "mesh_attempts_total{", "kestrel_active_connections{",
            "dotnet_gc_collections_total{", "dotnet_gc_last_collection_heap_size_bytes{", "dotnet_thread_pool_thread_count_total{",
            "process_cpu_time_seconds_total{", "process_memory_usage_bytes{",
        ];
        Assert.All(series, name => Assert.Contains(name, metrics, StringComparison.Ordinal));
        Assert.Contains("mesh_service=\"orders\"", metrics, StringComparison.Ordinal);

        // /config is source-generated JSON of the options as bound: the durations read from "30s" and "10s".
        using var document = JsonDocument.Parse(await Curl.RunAsync("-sS", "--fail", $"http://127.0.0.1:{admin}/config"));
        var orders = document.RootElement.GetProperty("configuration").GetProperty("Mesh").GetProperty("Services").GetProperty("orders");
        Assert.Equal("00:00:30", orders.GetProperty("Timeouts").GetProperty("Total").GetString());
        Assert.Equal("00:00:10", orders.GetProperty("Timeouts").GetProperty("PerTry").GetString());
        var endpoint = Assert.Single(document.RootElement.GetProperty("endpoints").GetProperty("orders").EnumerateArray());
        Assert.Equal(new Uri(backend.Url), new Uri(endpoint.GetProperty("address").GetString()!));
    }

    [Fact]
    public async Task TheNativeSidecar_WithAnInvalidConfiguration_ExitsWith2_NamingEachKey_NoStackTrace()
    {
        var result = await SidecarProcess.RunAsync(
            [.. SidecarProcess.FreePorts, "--Mesh:Services:orders:Retry:BudgetRatio=1.5", "--Mesh:Services:orders:Timeouts:Total=5"],
            executable: aot.Executable);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}; stderr: {result.Stderr}; stdout: {result.Stdout}");
        Assert.Contains("  Mesh:Services:orders:Retry:BudgetRatio must be in (0, 1], was 1.5\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(
            "  Mesh:Services:orders:Timeouts:Total must be a duration such as 00:00:05, 5s, 250ms, 1m or 2h (a number alone has no unit), was '5'\n",
            result.Stderr,
            StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    // A warning is Mesh's when it points into src/Mesh.* (the analyzers, or the compiler reading Mesh's PDBs, also as
    // /_/src/... in a CI build), or the compiler names a Mesh assembly or member as its origin.
    private static bool IsFromMeshCode(string warning)
    {
        var location = warning[..warning.IndexOf("warning IL", StringComparison.Ordinal)];
        return location.Contains("/src/Mesh.", StringComparison.Ordinal)
            || location.StartsWith("Mesh.", StringComparison.Ordinal)
            || warning.Contains("Assembly 'Mesh.", StringComparison.Ordinal);
    }
}
