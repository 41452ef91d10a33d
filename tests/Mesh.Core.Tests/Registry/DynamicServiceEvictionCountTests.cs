using System.Diagnostics.Metrics;
using Mesh.Configuration;
using Mesh.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.Registry;

/// <summary>
/// Every dynamic service evicted is counted in <c>mesh.dynamic_service.evictions</c> with its reason, so a host that lives
/// at <c>Mesh:DynamicServices:MaxServices</c> and keeps evicting (<c>limit</c>) is told apart from one whose services
/// merely go quiet (<c>idle</c>).
/// </summary>
public class DynamicServiceEvictionCountTests
{
    [Fact]
    public async Task Evictions_AreCountedByReason_LimitForEachServiceMadeOverTheMaximum_IdleForEachPastTheTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{DynamicServicesOptions.SectionName}:MaxServices"] = "2",
                [$"{DynamicServicesOptions.SectionName}:IdleTimeout"] = "00:01:00",
            })
            .Build();
        await using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(time)
            .AddMeshCore()
            .BuildServiceProvider();
        var registry = provider.GetRequiredService<MeshServiceRegistry>();
        using var evictions = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.DynamicServiceEvictions);

        // Five hosts, a second apart, with room for two: the third, fourth and fifth each evict the oldest.
        for (var i = 1; i <= 5; i++)
        {
            using var handler = registry.CreateDynamicHandler($"10.0.0.{i}:80", new Uri($"http://10.0.0.{i}:80"));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, Evictions(evictions, "limit"));
        Assert.Equal(0, Evictions(evictions, "idle"));
        Assert.Equal(2, registry.DynamicServiceCount);

        // The two left go unused past the idle timeout (the sweep runs every 5 s).
        time.Advance(TimeSpan.FromSeconds(65));

        Assert.Equal(2, Evictions(evictions, "idle"));
        Assert.Equal(3, Evictions(evictions, "limit"));
        Assert.Equal(0, registry.DynamicServiceCount);
    }

    private static long Evictions(MetricCollector<long> collector, string reason) =>
        collector.GetMeasurementSnapshot().Where(m => m.Tags[MeshInstruments.EvictionReasonTag] as string == reason).Sum(m => m.Value);
}
