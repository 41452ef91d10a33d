using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.Client.Tests.ClientFactory;

/// <summary>
/// <c>AddMesh()</c> on any client of the factory: the service from each request's host, or one named; every client at
/// once through <c>ConfigureHttpClientDefaults</c>; one Mesh layer per client; the client's own transport settings kept.
/// Real Kestrel backends on loopback.
/// </summary>
public class AddMeshTests
{
    [Fact]
    public async Task OneClient_SendsEachRequestForTheServiceItsHostNames()
    {
        await using var orders1 = await TestBackend.StartAsync();
        await using var orders2 = await TestBackend.StartAsync();
        await using var billing = await TestBackend.StartAsync();
        var configuration = Endpoints(("orders", [orders1, orders2]), ("billing", [billing]));
        await using var host = await MeshClientHost.StartAsync(configuration, s => s.AddHttpClient("any").AddMesh(), service: null);
        using var requests = Requests(host);
        var client = host.CreateClient("any");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("http://orders/x")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("http://billing/y")).StatusCode);
        }

        // Balanced over orders' two endpoints; billing's one got its own calls and nothing else.
        Assert.Equal(10, orders1.Requests + orders2.Requests);
        Assert.True(orders1.Requests > 0 && orders2.Requests > 0, $"orders' endpoints got {orders1.Requests} and {orders2.Requests}");
        Assert.Equal(10, billing.Requests);
        Assert.Equal(10, CountFor(requests, "orders"));
        Assert.Equal(10, CountFor(requests, "billing"));
    }

    [Fact]
    public async Task ConfigureHttpClientDefaults_MeshesEveryClient_NamedAndTyped()
    {
        await using var orders = await TestBackend.StartAsync();
        await using var billing = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(Endpoints(("orders", [orders]), ("billing", [billing])), services =>
        {
            services.ConfigureHttpClientDefaults(static http => http.AddMesh());
            services.AddHttpClient("orders", static c => c.BaseAddress = new Uri("http://orders"));
            services.AddHttpClient<BillingClient>(static c => c.BaseAddress = new Uri("http://billing"));
        }, service: null);
        using var requests = Requests(host);
        var ordersClient = host.CreateClient("orders");
        var billingClient = host.Services.GetRequiredService<BillingClient>();

        Assert.Equal("ok", await ordersClient.GetStringAsync("/orders/42"));
        Assert.Equal("ok", await billingClient.Http.GetStringAsync("/invoices/7"));

        Assert.Equal((1, 1), (orders.Requests, billing.Requests));
        Assert.Equal(1, CountFor(requests, "orders"));
        Assert.Equal(1, CountFor(requests, "billing"));

        // Mesh owns deadlines: HttpClient's own 100 s would cut a call Mesh allows to run longer.
        Assert.Equal(Timeout.InfiniteTimeSpan, ordersClient.Timeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, billingClient.Http.Timeout);
    }

    [Fact]
    public async Task AHostNoConfigurationNames_IsItsOwnEndpoint_AndIsMeasured()
    {
        await using var external = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(new Dictionary<string, string?>(), static s => s.ConfigureHttpClientDefaults(static http => http.AddMesh()), service: null);
        using var requests = Requests(host);

        Assert.Equal("ok", await host.CreateClient("github").GetStringAsync(external.Url + "/repos"));

        Assert.Equal(1, external.Requests);
        Assert.Equal(1, CountFor(requests, new Uri(external.Url).Authority));
    }

    [Fact]
    public async Task WithTheServiceFromTheHost_EveryConfiguredServicesPolicy_IsValidatedAtStart()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => MeshClientHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Services:orders:http:0"] = "http://127.0.0.1:9",
                ["Mesh:Services:orders:Retry:MaxRetries"] = "-1",
                ["Mesh:Services:billing:Retry:BudgetRatio"] = "1.5",
            },
            static s => s.ConfigureHttpClientDefaults(static http => http.AddMesh()),
            service: null));

        // Every error, each with its key, though no client names either service.
        Assert.Contains(error.Failures, f => f.StartsWith("Mesh:Services:orders:Retry:MaxRetries must be in [0, 10], was -1", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Mesh:Services:billing:Retry:BudgetRatio must be in (0, 1], was 1.5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AClientsOwnAddMesh_ReplacesTheDefaults_SoOneMeshLayerRetries()
    {
        await using var failing = await TestBackend.StartAsync(status: 503);
        await using var host = await MeshClientHost.StartAsync(Endpoints(("orders", [failing])), static s => s.ConfigureHttpClientDefaults(static http => http.AddMesh()));

        using var response = await host.CreateClient().GetAsync("/orders/42");

        // One layer: the call and Mesh's 2 retries. Two (the defaults' and AddMeshClient's) made 3 × 3 = 9.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, failing.Requests);
    }

    [Fact]
    public async Task AddMeshForAService_SendsEveryRequestThere_WithTheOptionsGiven()
    {
        await using var failing = await TestBackend.StartAsync(status: 503);
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Billing:Retry:MaxRetries"] = "1" }).Build().GetSection("Billing");
        await using var host = await MeshClientHost.StartAsync(Endpoints(("orders", [failing]), ("billing", [failing])), services =>
        {
            services.AddHttpClient("no-retries", static c => c.BaseAddress = new Uri("http://anything-at-all")).AddMesh("orders", static o => o.Retry.MaxRetries = 0);
            services.AddHttpClient("one-retry", static c => c.BaseAddress = new Uri("http://anything-else")).AddMesh("billing", section);
        }, service: null);
        using var requests = Requests(host);

        using (var response = await host.CreateClient("no-retries").GetAsync("/x"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.Equal(1, failing.Requests);
        using (var response = await host.CreateClient("one-retry").GetAsync("/x"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.Equal(1 + 2, failing.Requests);
        Assert.Equal(1, CountFor(requests, "orders"));
        Assert.Equal(1, CountFor(requests, "billing"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheClientsOwnSocketsHttpHandler_IsTheTemplateOfMeshsPools(bool configuredBeforeAddMesh)
    {
        await using var backend1 = await TestBackend.StartAsync();
        await using var backend2 = await TestBackend.StartAsync();
        var connects = 0;
        SocketsHttpHandler Counting() => new()
        {
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref connects);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        await using var host = await MeshClientHost.StartAsync(Endpoints(("orders", [backend1, backend2])), services =>
        {
            var client = services.AddHttpClient("orders", static c => c.BaseAddress = new Uri("http://orders"));
            if (configuredBeforeAddMesh)
            {
                client.ConfigurePrimaryHttpMessageHandler(Counting).AddMesh();
            }
            else
            {
                client.AddMesh().ConfigurePrimaryHttpMessageHandler(Counting);
            }
        }, service: null);
        var http = host.CreateClient("orders");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("ok", await http.GetStringAsync("/x"));
        }

        // Mesh balanced (both endpoints called) on connections the application's callback opened.
        Assert.True(backend1.Requests > 0 && backend2.Requests > 0, $"{backend1.Requests} and {backend2.Requests}");
        Assert.InRange(Volatile.Read(ref connects), 2, 10);
    }

    [Fact]
    public async Task EachServicesIdleTimeout_AppliesToItsConnections_ThroughOneClient()
    {
        await using var orders = await TestBackend.StartAsync();
        await using var billing = await TestBackend.StartAsync();
        var configuration = Endpoints(("orders", [orders]), ("billing", [billing]));

        // 1 s or less leaves nothing to pool with (ConnectionPools.HandlerIdleTimeout): a connection per request.
        configuration["Mesh:Services:orders:Upstream:IdleTimeout"] = "1s";
        configuration["Mesh:Services:billing:Upstream:IdleTimeout"] = "1m";
        var connects = new System.Collections.Concurrent.ConcurrentQueue<int>();
        await using var host = await MeshClientHost.StartAsync(configuration, services => services.AddHttpClient("any").AddMesh()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectCallback = async (context, token) =>
                {
                    connects.Enqueue(context.DnsEndPoint.Port);
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            }), service: null);
        var client = host.CreateClient("any");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("ok", await client.GetStringAsync("http://orders/x"));
            Assert.Equal("ok", await client.GetStringAsync("http://billing/y"));
        }

        Assert.Equal(5, connects.Count(p => p == new Uri(orders.Url).Port));
        Assert.Equal(1, connects.Count(p => p == new Uri(billing.Url).Port));
    }

    [Fact]
    public async Task APrimaryHandlerOfAnotherKind_IsKept_AndSentToWithTheEndpointsAddress()
    {
        var transport = new RecordingHandler();
        await using var host = await MeshClientHost.StartAsync(
            new Dictionary<string, string?> { ["Services:orders:http:0"] = "http://10.9.8.7:8080" },
            services => services.AddHttpClient("orders", static c => c.BaseAddress = new Uri("http://orders")).AddMesh().ConfigurePrimaryHttpMessageHandler(() => transport),
            service: null);

        using var response = await host.CreateClient("orders").GetAsync("/orders/42");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri("http://10.9.8.7:8080/orders/42"), Assert.Single(transport.Sent));
    }

    private sealed class BillingClient(HttpClient http)
    {
        public HttpClient Http { get; } = http;
    }

    private static Dictionary<string, string?> Endpoints(params (string Service, TestBackend[] Backends)[] services)
    {
        var configuration = new Dictionary<string, string?>();
        foreach (var (service, backends) in services)
        {
            foreach (var (key, value) in MeshClientHost.EndpointConfig(service, backends))
            {
                configuration[key] = value;
            }
        }

        return configuration;
    }

    private static MetricCollector<long> Requests(MeshClientHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");

    private static int CountFor(MetricCollector<long> requests, string service) =>
        requests.GetMeasurementSnapshot().Count(m => (string?)m.Tags["mesh.service"] == service);
}
