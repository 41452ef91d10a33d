using System.Diagnostics.Metrics;
using Mesh.Discovery.Dns.Providers;
using Mesh.Discovery.Dns.Resolution;
using Mesh.Discovery.Dns.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.ServiceDiscovery;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Discovery.Dns.Tests.Providers;

/// <summary>
/// The provider as Microsoft.Extensions.ServiceDiscovery drives it: real dnsmasq answers, a fake clock for the TTL
/// change token, so "fires at the TTL, within the floor and the ceiling" is checked to the tick without waiting.
/// </summary>
public class DnsServiceEndpointProviderTests
{
    private const string Orders = "_http._tcp.orders.default.svc.cluster.local";

    [DnsmasqFact]
    public async Task ChangeToken_FiresWhenTheTtlRunsOut()
    {
        await using var dns = await OrdersDnsAsync(localTtl: 5);
        using var fixture = Fixture.Create(dns);

        var builder = await fixture.PopulateAsync();

        Assert.Equal(["127.0.0.1:8081"], builder.Addresses);
        AssertFiresAfter(fixture.Time, builder, TimeSpan.FromSeconds(5));
    }

    [DnsmasqFact]
    public async Task ChangeToken_FiresNoSoonerThanMinTtl_WhenTheTtlIsZero()
    {
        await using var dns = await OrdersDnsAsync(localTtl: 0);
        using var fixture = Fixture.Create(dns, o => o.MinTtl = TimeSpan.FromSeconds(2));

        var builder = await fixture.PopulateAsync();

        AssertFiresAfter(fixture.Time, builder, TimeSpan.FromSeconds(2));
    }

    [DnsmasqFact]
    public async Task ChangeToken_FiresNoLaterThanMaxTtl_WhenTheTtlIsLong()
    {
        await using var dns = await OrdersDnsAsync(localTtl: 3600);
        using var fixture = Fixture.Create(dns);

        var builder = await fixture.PopulateAsync();

        AssertFiresAfter(fixture.Time, builder, TimeSpan.FromSeconds(60));
    }

    [DnsmasqFact]
    public async Task UnmappedService_IsNeverLookedUp()
    {
        await using var dns = await OrdersDnsAsync(localTtl: 1);
        using var fixture = Fixture.Create(dns);

        var builder = await fixture.PopulateAsync("payments");

        Assert.Empty(builder.Endpoints);
        await dns.FlushLogAsync();
        Assert.Empty(dns.Queries);
    }

    [DnsmasqFact]
    public async Task EndpointsAnEarlierProviderFound_AreKept_AndDnsIsNotAsked()
    {
        await using var dns = await OrdersDnsAsync(localTtl: 1);
        using var fixture = Fixture.Create(dns);
        var builder = new EndpointBuilder();
        builder.Endpoints.Add(ServiceEndpoint.Create(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9999)));

        await fixture.PopulateAsync("orders", builder);

        Assert.Equal(["127.0.0.1:9999"], builder.Addresses);
        await dns.FlushLogAsync();
        Assert.Empty(dns.Queries);
    }

    [DnsmasqFact]
    public async Task FailedLookup_Throws_AndCountsAnErrorWithItsReason()
    {
        await using var dns = await OrdersDnsAsync(localTtl: 1);
        using var fixture = Fixture.Create(dns);
        using var errors = new MetricCollector<long>(fixture.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.discovery.dns.errors");
        await dns.StopAsync();

        var ex = await Assert.ThrowsAsync<DnsResolutionException>(() => fixture.PopulateAsync());

        Assert.Equal(DnsErrorReasons.Timeout, ex.Reason);
        var error = Assert.Single(errors.GetMeasurementSnapshot());
        Assert.Equal(1, error.Value);
        Assert.Equal("orders", error.Tags["mesh.service"]);
        Assert.Equal("timeout", error.Tags["error.type"]);
    }

    [DnsmasqFact]
    public async Task ConfigurationReload_FiresTheChangeToken_AndTheNewMappingIsUsed()
    {
        await using var dns = await Dnsmasq.StartAsync(hosts: [("web.test", "127.0.0.2"), ("api.test", "127.0.0.3")]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Discovery:Dns:Servers:0"] = dns.Server,
            ["Mesh:Discovery:Dns:Services:orders"] = "web.test:80",
        }).Build();
        using var fixture = Fixture.Create(configuration);
        var first = await fixture.PopulateAsync();
        Assert.Equal(["127.0.0.2:80"], first.Addresses);

        configuration["Mesh:Discovery:Dns:Services:orders"] = "api.test:81";
        configuration.Reload();

        Assert.True(first.HasChanged, "a configuration reload is a reason to look again");
        Assert.Equal(["127.0.0.3:81"], (await fixture.PopulateAsync()).Addresses);
    }

    private static Task<Dnsmasq> OrdersDnsAsync(int localTtl) =>
        Dnsmasq.StartAsync([new Srv(Orders, "a.test", 8081)], [("a.test", "127.0.0.1")], localTtl);

    private static void AssertFiresAfter(FakeTimeProvider time, EndpointBuilder builder, TimeSpan ttl)
    {
        time.Advance(ttl - TimeSpan.FromMilliseconds(1));
        Assert.False(builder.HasChanged, $"the change token fired before {ttl}");
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(builder.HasChanged, $"the change token did not fire at {ttl}");
    }

    /// <summary>The provider made by the factory AddMeshDnsDiscovery registers, on a fake clock.</summary>
    private sealed class Fixture : IDisposable
    {
        private readonly ServiceProvider _services;
        private readonly List<IServiceEndpointProvider> _providers = [];

        private Fixture(ServiceProvider services) => _services = services;

        public IServiceProvider Services => _services;

        public FakeTimeProvider Time => (FakeTimeProvider)_services.GetRequiredService<TimeProvider>();

        public static Fixture Create(Dnsmasq dns, Action<MeshDnsOptions>? configure = null) =>
            Create(new ConfigurationBuilder().Build(), o =>
            {
                o.Servers.Add(dns.Server);
                o.Services["orders"] = "";
                o.Timeout = TimeSpan.FromMilliseconds(500);
                o.Retries = 0;
                configure?.Invoke(o);
            });

        public static Fixture Create(IConfiguration configuration, Action<MeshDnsOptions>? configure = null)
        {
            var services = new ServiceCollection();
            services.AddSingleton(configuration);
            services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
            services.AddMeshDnsDiscovery(configure);
            return new Fixture(services.BuildServiceProvider());
        }

        public async Task<EndpointBuilder> PopulateAsync(string service = "orders", EndpointBuilder? builder = null)
        {
            builder ??= new EndpointBuilder();
            var factory = _services.GetServices<IServiceEndpointProviderFactory>().OfType<DnsServiceEndpointProviderFactory>().Single();
            Assert.True(ServiceEndpointQuery.TryParse($"https+http://{service}", out var query));
            Assert.True(factory.TryCreateProvider(query, out var provider));

            // Kept until the fixture goes: disposing a provider releases its TTL timer.
            _providers.Add(provider);
            await provider.PopulateAsync(builder, CancellationToken.None);
            return builder;
        }

        public void Dispose()
        {
            foreach (var provider in _providers)
            {
                provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            _services.Dispose();
        }
    }
}
