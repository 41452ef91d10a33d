using Mesh.Discovery.Dns.Naming;
using Mesh.Discovery.Dns.Resolution;
using Mesh.Discovery.Dns.Tests.Infrastructure;

namespace Mesh.Discovery.Dns.Tests.Resolution;

/// <summary>The lookups themselves, against a real dnsmasq on loopback.</summary>
public class DnsResolverTests
{
    private const string Orders = "_http._tcp.orders.default.svc.cluster.local";

    [DnsmasqFact]
    public async Task Srv_TakesPortsFromTheRecords_AndAddressesFromTheAdditionalSection()
    {
        await using var dns = await Dnsmasq.StartAsync(
            [new Srv(Orders, "a.test", 8081), new Srv(Orders, "b.test", 8082)],
            [("a.test", "127.0.0.1"), ("b.test", "127.0.0.2")]);

        var resolution = await ResolveAsync(dns, new DnsTarget(DnsTargetKind.Srv, Orders + ".", 0));

        Assert.Equal(["127.0.0.1:8081", "127.0.0.2:8082"], Addresses(resolution));
        await dns.FlushLogAsync();
        var query = Assert.Single(dns.Queries);
        Assert.Contains($"query[SRV] {Orders} from", query, StringComparison.Ordinal);
    }

    [DnsmasqFact]
    public async Task Srv_TargetWithoutAddress_IsLeftOut_AndTheOthersStay()
    {
        await using var dns = await Dnsmasq.StartAsync(
            [new Srv(Orders, "a.test", 8081), new Srv(Orders, "gone.test", 8082)],
            [("a.test", "127.0.0.1")]);

        var resolution = await ResolveAsync(dns, new DnsTarget(DnsTargetKind.Srv, Orders + ".", 0));

        Assert.Equal(["127.0.0.1:8081"], Addresses(resolution));
        await dns.FlushLogAsync();
        Assert.True(dns.WasQueried("gone.test"), "the target missing from the additional section is looked up on its own");
    }

    [DnsmasqFact]
    public async Task Srv_UsesOnlyTheLowestPriority()
    {
        await using var dns = await Dnsmasq.StartAsync(
            [new Srv(Orders, "a.test", 8081, Priority: 1), new Srv(Orders, "b.test", 8082, Priority: 1), new Srv(Orders, "backup.test", 8083, Priority: 5)],
            [("a.test", "127.0.0.1"), ("b.test", "127.0.0.1"), ("backup.test", "127.0.0.1")]);

        var resolution = await ResolveAsync(dns, new DnsTarget(DnsTargetKind.Srv, Orders + ".", 0));

        Assert.Equal(["127.0.0.1:8081", "127.0.0.1:8082"], Addresses(resolution));
    }

    [DnsmasqFact]
    public async Task Srv_Ttl_IsTheShortestOfTheRecordsUsed()
    {
        // SRV records carry local-ttl (30 s); host-record gives b.test its own TTL of 7 s.
        await using var dns = await Dnsmasq.StartAsync(
            [new Srv(Orders, "a.test", 8081), new Srv(Orders, "b.test", 8082)],
            [("a.test", "127.0.0.1")],
            localTtl: 30,
            "host-record=b.test,127.0.0.2,7");

        var resolution = await ResolveAsync(dns, new DnsTarget(DnsTargetKind.Srv, Orders + ".", 0));

        Assert.Equal(2, resolution.Endpoints.Count);
        Assert.InRange(resolution.Ttl, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(7));
    }

    [DnsmasqFact]
    public async Task Host_GivesEveryAddressOfTheName_OnTheConfiguredPort()
    {
        await using var dns = await Dnsmasq.StartAsync(hosts: [("web.test", "127.0.0.2"), ("web.test", "127.0.0.3"), ("other.test", "127.0.0.4")], localTtl: 12);

        var resolution = await ResolveAsync(dns, new DnsTarget(DnsTargetKind.Address, "web.test.", 9000));

        Assert.Equal(["127.0.0.2:9000", "127.0.0.3:9000"], Addresses(resolution));
        Assert.Equal(TimeSpan.FromSeconds(12), resolution.Ttl);
    }

    [DnsmasqFact]
    public async Task UnknownName_FailsAsNxdomain()
    {
        await using var dns = await Dnsmasq.StartAsync();

        var ex = await Assert.ThrowsAsync<DnsResolutionException>(() => ResolveAsync(dns, new DnsTarget(DnsTargetKind.Srv, "_http._tcp.nothing.default.svc.cluster.local.", 0)));

        Assert.Equal(DnsErrorReasons.NameError, ex.Reason);
        Assert.Contains("_http._tcp.nothing.default.svc.cluster.local.", ex.Message, StringComparison.Ordinal);
    }

    [DnsmasqFact]
    public async Task ServerDown_FailsAsTimeout()
    {
        await using var dns = await Dnsmasq.StartAsync([new Srv(Orders, "a.test", 8081)], [("a.test", "127.0.0.1")]);
        await dns.StopAsync();

        var ex = await Assert.ThrowsAsync<DnsResolutionException>(() => ResolveAsync(dns, new DnsTarget(DnsTargetKind.Srv, Orders + ".", 0)));

        Assert.Equal(DnsErrorReasons.Timeout, ex.Reason);
        Assert.Contains(dns.Server, ex.Message, StringComparison.Ordinal);
    }

    private static Task<DnsResolution> ResolveAsync(Dnsmasq dns, DnsTarget target) =>
        new DnsResolver().ResolveAsync(new MeshDnsOptions { Servers = [dns.Server], Timeout = TimeSpan.FromMilliseconds(500), Retries = 0 }, target, CancellationToken.None);

    private static string[] Addresses(DnsResolution resolution) => [.. resolution.Endpoints.Select(static e => e.ToString()).Order(StringComparer.Ordinal)];
}
