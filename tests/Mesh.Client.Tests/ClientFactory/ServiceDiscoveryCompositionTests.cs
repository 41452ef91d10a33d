using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh.Client.Tests.ClientFactory;

/// <summary>
/// A meshed client that also has Microsoft.Extensions.ServiceDiscovery's handler (<c>AddServiceDiscovery()</c>, as
/// Aspire's service defaults add to every client), in any order: Mesh resolves the service through the same library and
/// balances over all its endpoints; that handler does not resolve it a second time, neither the logical host before Mesh
/// (Mesh would see an address, not the service) nor the endpoint Mesh picked after it.
/// </summary>
public class ServiceDiscoveryCompositionTests
{
    public static TheoryData<string> Orders => ["client: AddServiceDiscovery, AddMesh", "client: AddMesh, AddServiceDiscovery", "defaults: AddServiceDiscovery, AddMesh"];

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task WithAddServiceDiscovery_TheServiceIsResolvedOnce_ByMesh(string order)
    {
        await using var backend1 = await TestBackend.StartAsync();
        await using var backend2 = await TestBackend.StartAsync();
        var resolved = new ResolvedNames();
        var configuration = MeshClientHost.EndpointConfig("orders", [backend1, backend2]);
        configuration["Mesh:Services:orders:LoadBalancer"] = "RoundRobin";
        await using var host = await MeshClientHost.StartAsync(configuration, services =>
        {
            services.AddServiceDiscovery();
            services.AddSingleton<IServiceEndpointProviderFactory>(resolved);
            if (order.StartsWith("defaults", StringComparison.Ordinal))
            {
                services.ConfigureHttpClientDefaults(static http => http.AddServiceDiscovery().AddMesh());
                services.AddHttpClient("orders", static c => c.BaseAddress = new Uri("http://orders"));
            }
            else
            {
                var client = services.AddHttpClient("orders", static c => c.BaseAddress = new Uri("http://orders"));
                _ = order.Contains("AddServiceDiscovery, AddMesh", StringComparison.Ordinal)
                    ? client.AddServiceDiscovery().AddMesh()
                    : client.AddMesh().AddServiceDiscovery();
            }
        }, service: null);
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        var http = host.CreateClient("orders");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("ok", await http.GetStringAsync("/orders/42"));
        }

        Assert.Equal(10, backend1.Requests + backend2.Requests);
        Assert.True(backend1.Requests > 0 && backend2.Requests > 0, $"{backend1.Requests} and {backend2.Requests}: Mesh did not balance");
        Assert.All(requests.GetMeasurementSnapshot(), m => Assert.Equal("orders", m.Tags["mesh.service"]));
        Assert.Equal(10, requests.GetMeasurementSnapshot().Count);
        Assert.Equal(["orders"], resolved.Names.Distinct());
    }

    /// <summary>A provider factory that provides nothing and records every service name discovery was asked for.</summary>
    private sealed class ResolvedNames : IServiceEndpointProviderFactory
    {
        public ConcurrentQueue<string> Names { get; } = new();

        public bool TryCreateProvider(ServiceEndpointQuery query, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IServiceEndpointProvider? provider)
        {
            Names.Enqueue(query.ServiceName);
            provider = null;
            return false;
        }
    }
}
