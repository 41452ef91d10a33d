using Mesh.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Core.Tests.Registry;

/// <summary>
/// <c>Mesh:DynamicServices:MaxMetricNames</c> is a hard bound on the <c>mesh.service</c> values names a caller chose
/// can make, also when many such names arrive at the same moment (the 100,000-hosts sidecar test once saw 1,001).
/// </summary>
public class MetricNameBudgetTests
{
    [Fact]
    public async Task NamesMadeAtTheSameMoment_NeverExceedMaxMetricNames_AndTheRestAreOther()
    {
        const int max = 2;
        for (var round = 0; round < 200; round++)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { [$"{DynamicServicesOptions.SectionName}:MaxMetricNames"] = $"{max}" })
                .Build();
            await using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddMeshCore().BuildServiceProvider();
            var registry = provider.GetRequiredService<MeshServiceRegistry>();

            // Eight threads each name four hosts of their own, released together: 32 names race for 2 places.
            using var start = new Barrier(8);
            var named = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                start.SignalAndWait();
                return Enumerable.Range(0, 4).Select(i => registry.MetricNameFor($"10.0.{t}.{i}:80")).ToArray();
            })));

            var values = named.SelectMany(static n => n).ToList();
            Assert.Equal(max, values.Count(static v => v != MeshServiceRegistry.OtherService));
            Assert.Equal(32 - max, values.Count(static v => v == MeshServiceRegistry.OtherService));

            // A name given a place keeps it; the others stay "other".
            Assert.All(values.Where(static v => v != MeshServiceRegistry.OtherService), v => Assert.Equal(v, registry.MetricNameFor(v)));
        }
    }
}
