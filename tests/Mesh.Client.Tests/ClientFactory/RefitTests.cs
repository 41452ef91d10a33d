using System.Diagnostics.Metrics;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Refit;

namespace Mesh.Client.Tests.ClientFactory;

/// <summary>
/// A Refit client (<c>AddRefitGeneratedClient</c>: its implementation generated at build time by Refit's source
/// generator; Refit 16 without Refit.Reflection has no other) with <c>.AddMesh()</c>:
/// its calls are balanced over the service's endpoints, and a failing endpoint's answers are retried on another.
/// </summary>
public class RefitTests
{
    public interface IOrdersApi
    {
        [Get("/orders/{id}")]
        Task<Order> GetOrderAsync(int id);
    }

    public sealed record Order(int Id, string Backend);

    [Fact]
    public async Task ARefitClient_IsBalancedAndRetriedByMesh()
    {
        await using var backend1 = await TestBackend.StartAsync(static c => OrderAsync(c, "one"));
        await using var backend2 = await TestBackend.StartAsync(static c => OrderAsync(c, "two"));
        await using var failing = await TestBackend.StartAsync(status: 503);
        var configuration = MeshClientHost.EndpointConfig("orders", [backend1, backend2, failing]);
        configuration["Mesh:Services:orders:LoadBalancer"] = "RoundRobin";
        configuration["Mesh:Services:orders:FailureAccrual:Enabled"] = "false";
        await using var host = await MeshClientHost.StartAsync(configuration, static services =>
            services.AddRefitGeneratedClient<IOrdersApi>().ConfigureHttpClient(static c => c.BaseAddress = new Uri("http://orders")).AddMesh(),
            service: null);
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        var api = host.Services.GetRequiredService<IOrdersApi>();

        var backends = new List<string>();
        for (var id = 1; id <= 12; id++)
        {
            var order = await api.GetOrderAsync(id);
            Assert.Equal(id, order.Id);
            backends.Add(order.Backend);
        }

        // Every call answered by a healthy endpoint: the failing one's 503s were retried on the others.
        Assert.Contains("one", backends);
        Assert.Contains("two", backends);
        Assert.True(failing.Requests > 0, "round robin never reached the failing endpoint");
        Assert.Equal(12, requests.GetMeasurementSnapshot().Count(m => (string?)m.Tags["mesh.service"] == "orders" && (string?)m.Tags["mesh.classification"] == "success"));
    }

    private static Task OrderAsync(HttpContext context, string backend) =>
        context.Response.WriteAsJsonAsync(new Order(int.Parse(context.Request.Path.Value!.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture), backend));
}
