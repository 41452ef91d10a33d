using System.Diagnostics.Metrics;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.Client.Tests;

public class GoldenMetricsTests
{
    [Fact]
    public async Task EachRequest_IsCountedOnce_WithServiceStatusAndClassification()
    {
        var flip = 0;
        await using var backend = await TestBackend.StartAsync(ctx =>
        {
            ctx.Response.StatusCode = Interlocked.Increment(ref flip) % 2 == 0 ? 500 : 200;
            return Task.CompletedTask;
        });
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [backend]));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meters, "Mesh", "mesh.requests");
        using var durations = new MetricCollector<double>(meters, "Mesh", "mesh.request.duration");
        using var attempts = new MetricCollector<long>(meters, "Mesh", "mesh.attempts");
        var client = host.CreateClient();

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/work");
        }

        var measured = requests.GetMeasurementSnapshot();
        Assert.Equal(10, measured.Count);
        Assert.All(measured, m =>
        {
            Assert.Equal("outbound", m.Tags["mesh.direction"]);
            Assert.Equal("orders", m.Tags["mesh.service"]);
            Assert.Equal("GET", m.Tags["http.request.method"]);
        });
        Assert.Equal(5, measured.Count(m => (int)m.Tags["http.response.status_code"]! == 500 && (string)m.Tags["mesh.classification"]! == "failure"));
        Assert.Equal(5, measured.Count(m => (int)m.Tags["http.response.status_code"]! == 200 && (string)m.Tags["mesh.classification"]! == "success"));
        Assert.Equal(10, durations.GetMeasurementSnapshot().Count);
        Assert.All(durations.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0, 30));
        Assert.All(attempts.GetMeasurementSnapshot(), m => Assert.Equal(new Uri(backend.Url).Authority, m.Tags["mesh.endpoint"]));
    }

    [Fact]
    public async Task EndpointsGauge_ReportsReadyEndpointsPerService()
    {
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a, b]));
        using var gauge = new MetricCollector<int>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.endpoints");
        (await host.CreateClient().GetAsync("/work")).EnsureSuccessStatusCode();

        gauge.RecordObservableInstruments();

        var ready = gauge.GetMeasurementSnapshot().Single(m => (string)m.Tags["mesh.endpoint.state"]! == "ready");
        Assert.Equal(2, ready.Value);
        Assert.Equal("orders", ready.Tags["mesh.service"]);
    }
}
