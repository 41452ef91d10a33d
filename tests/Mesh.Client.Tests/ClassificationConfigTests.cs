using System.Diagnostics.Metrics;
using System.Net;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.Client.Tests;

/// <summary>
/// <c>Mesh:Services:{s}:Classification</c> changes what every policy reads: a 409 configured retryable is retried (and
/// under the defaults is not), a 404 configured a failure is counted as one, a 500 taken out of the failures is a success.
/// </summary>
public class ClassificationConfigTests
{
    private const string Key = "Mesh:Services:orders:Classification:";

    [Fact]
    public async Task ConfiguredRetryableStatus_IsRetried_WhileTheDefaultsLeaveItAlone()
    {
        Assert.Equal((HttpStatusCode.OK, 2), await FirstAnswer409ThenOk(new() { [Key + "RetryableStatuses"] = "409,502-504" }));
        Assert.Equal((HttpStatusCode.Conflict, 1), await FirstAnswer409ThenOk([]));
    }

    [Fact]
    public async Task ConfiguredFailureStatuses_AreWhatMetricsCountAsFailures()
    {
        await using var backend = await TestBackend.StartAsync(context =>
        {
            context.Response.StatusCode = context.Request.Path == "/missing" ? 404 : 500;
            return Task.CompletedTask;
        });
        var config = MeshClientHost.EndpointConfig("orders", [backend], new Dictionary<string, string?>
        {
            [Key + "FailureStatuses"] = "404,502-599",
            ["Mesh:Services:orders:Retry:MaxRetries"] = "0",
        });
        await using var host = await MeshClientHost.StartAsync(config);
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        var client = host.CreateClient();

        (await client.GetAsync("/missing")).Dispose();
        (await client.GetAsync("/broken")).Dispose();

        var measured = requests.GetMeasurementSnapshot();
        Assert.Equal("failure", measured.Single(m => (int)m.Tags["http.response.status_code"]! == 404).Tags["mesh.classification"]);
        Assert.Equal("success", measured.Single(m => (int)m.Tags["http.response.status_code"]! == 500).Tags["mesh.classification"]);
    }

    private static async Task<(HttpStatusCode Status, int BackendRequests)> FirstAnswer409ThenOk(Dictionary<string, string?> extra)
    {
        var seen = 0;
        await using var backend = await TestBackend.StartAsync(context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref seen) == 1 ? 409 : 200;
            return context.Response.WriteAsync("x");
        });
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [backend], extra));

        using var response = await host.CreateClient().GetAsync("/order/1");
        return (response.StatusCode, backend.Requests);
    }
}
