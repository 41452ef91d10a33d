using System.Diagnostics.Metrics;
using Mesh.Discovery.Dns.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Discovery.Dns.Tests;

/// <summary>
/// End to end: an application whose only way to its backends is <c>AddMeshClient("orders")</c> with
/// <c>AddMeshDnsDiscovery</c> pointed at a real dnsmasq, and real Kestrel backends on loopback. What DNS says shows up
/// in which backend gets the requests; DNS going away costs no request.
/// </summary>
public class DnsDiscoveryTrafficTests
{
    private const string Orders = "_http._tcp.orders.default.svc.cluster.local";

    [DnsmasqFact]
    public async Task SrvRecordsAddedAndRemoved_ShowUpInWhichBackendGetsTraffic()
    {
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync();
        await using var c = await TestBackend.StartAsync();
        (string, string)[] hosts = [("a.test", "127.0.0.1"), ("b.test", "127.0.0.1"), ("c.test", "127.0.0.1")];
        await using var dns = await Dnsmasq.StartAsync([Record("a.test", a), Record("b.test", b)], hosts);
        using var app = await StartClientAsync(dns, "");
        await using var load = new Load(app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("orders"));

        await Eventually.TrueAsync(() => a.Requests > 20 && b.Requests > 20, "a and b, the two SRV targets, get traffic");
        Assert.Equal(0, c.Requests);

        // Added: SRV records change only with a restart of dnsmasq (the lookup in the gap fails; the last good set stays).
        await dns.SetSrvAsync([Record("a.test", a), Record("b.test", b), Record("c.test", c)]);
        await Eventually.TrueAsync(() => c.Requests > 20, "c, added to DNS, gets traffic");

        // Removed: b stops getting requests, and only requests already sent to it finish there.
        await dns.SetSrvAsync([Record("a.test", a), Record("c.test", c)]);
        await Eventually.TrueAsync(() => load.NoneOfTheNextReachAsync(b, 100), "b, removed from DNS, gets no more traffic");
        var removedAt = b.Requests;
        await load.MoreAsync(200);
        Assert.Equal(removedAt, b.Requests);
        Assert.True(a.Requests > 20 && c.Requests > 20);

        await load.DisposeAsync();
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Sent} requests failed, first: {load.FirstFailure}");
    }

    [DnsmasqFact]
    public async Task HostAddressesChangedAndReloadedOnSighup_MoveTheTraffic()
    {
        // A/AAAA mode: orders = web.test:PORT. Two backends on one port, at 127.0.0.2 and 127.0.0.3.
        await using var x = await TestBackend.StartAsync("127.0.0.2");
        await using var y = await TestBackend.StartAsync("127.0.0.3", x.Port);
        await using var dns = await Dnsmasq.StartAsync(hosts: [("web.test", "127.0.0.2")]);
        using var app = await StartClientAsync(dns, $"web.test:{x.Port}");
        await using var load = new Load(app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("orders"));
        await load.MoreAsync(50);
        Assert.Equal(0, y.Requests);

        await dns.SetHostsAsync([("web.test", "127.0.0.2"), ("web.test", "127.0.0.3")]);
        await Eventually.TrueAsync(() => y.Requests > 20, "y, the address added to the hosts file, gets traffic");

        await dns.SetHostsAsync([("web.test", "127.0.0.3")]);
        await Eventually.TrueAsync(() => load.NoneOfTheNextReachAsync(x, 100), "x, the address removed from the hosts file, gets no more traffic");
        var removedAt = x.Requests;
        await load.MoreAsync(200);
        Assert.Equal(removedAt, x.Requests);

        await load.DisposeAsync();
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Sent} requests failed, first: {load.FirstFailure}");
    }

    [DnsmasqFact]
    public async Task DnsServerStopped_TrafficGoesOnToTheLastGoodEndpoints_AndErrorsAreCounted()
    {
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync();
        await using var dns = await Dnsmasq.StartAsync([Record("a.test", a), Record("b.test", b)], [("a.test", "127.0.0.1"), ("b.test", "127.0.0.1")]);
        using var app = await StartClientAsync(dns, "");
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var dnsErrors = new MetricCollector<long>(meters, "Mesh", "mesh.discovery.dns.errors");
        using var discoveryErrors = new MetricCollector<long>(meters, "Mesh", "mesh.discovery.errors");
        await using var load = new Load(app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("orders"));
        await Eventually.TrueAsync(() => a.Requests > 20 && b.Requests > 20, "both backends get traffic");

        await dns.StopAsync();
        await Eventually.TrueAsync(() => dnsErrors.GetMeasurementSnapshot().Count >= 2, "the failed lookups are counted");
        var (beforeA, beforeB) = (a.Requests, b.Requests);
        await load.MoreAsync(300);

        await load.DisposeAsync();
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Sent} requests failed, first: {load.FirstFailure}");
        Assert.True(a.Requests > beforeA + 50 && b.Requests > beforeB + 50, "both last good endpoints keep getting traffic");
        Assert.All(dnsErrors.GetMeasurementSnapshot(), m =>
        {
            Assert.Equal("orders", m.Tags["mesh.service"]);
            Assert.Contains(m.Tags["error.type"], new object?[] { "timeout", "transport" });
        });
        Assert.Contains(discoveryErrors.GetMeasurementSnapshot(), m => Equals(m.Tags["mesh.discovery.reason"], "error"));

        // DNS back: lookups succeed again and the counter stops climbing.
        await dns.StartAgainAsync();
        var resumedAt = dns.Queries.Count;
        await Eventually.TrueAsync(() => dns.Queries.Count > resumedAt, "Mesh looks the service up again once DNS is back");
    }

    private static Srv Record(string target, TestBackend backend) => new(Orders, target, backend.Port);

    /// <summary>An application with AddMeshClient("orders") and AddMeshDnsDiscovery, configured the way an operator would.</summary>
    private static async Task<IHost> StartClientAsync(Dnsmasq dns, string ordersEntry)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Discovery:Dns:Servers:0"] = dns.Server,
            ["Mesh:Discovery:Dns:Services:orders"] = ordersEntry,
            ["Mesh:Discovery:Dns:Timeout"] = "00:00:00.500",
            ["Mesh:Discovery:Dns:Retries"] = "0",
            ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddMeshClient("orders");
        builder.Services.AddMeshDnsDiscovery();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
