using Mesh.Discovery.Dns.Naming;

namespace Mesh.Discovery.Dns.Tests.Naming;

public class DnsServiceNamesTests
{
    [Fact]
    public void EmptyEntry_FollowsTheKubernetesNamingRule()
    {
        var target = Parse(new MeshDnsOptions(), "orders", "");
        Assert.Equal(new DnsTarget(DnsTargetKind.Srv, "_http._tcp.orders.default.svc.cluster.local.", 0), target);
    }

    [Fact]
    public void NamingRule_UsesNamespaceClusterDomainAndPortName()
    {
        var options = new MeshDnsOptions { Namespace = "shop", ClusterDomain = "example.org", PortName = "grpc" };
        Assert.Equal("_grpc._tcp.orders.shop.svc.example.org.", Parse(options, "orders", "").Name);
    }

    [Fact]
    public void SrvEntry_IsLookedUpAsAnAbsoluteName()
    {
        Assert.Equal(new DnsTarget(DnsTargetKind.Srv, "_http._tcp.orders.example.", 0), Parse(new MeshDnsOptions(), "orders", "_http._tcp.orders.example"));
        Assert.Equal("_http._tcp.orders.example.", Parse(new MeshDnsOptions(), "orders", "_http._tcp.orders.example.").Name);
    }

    [Fact]
    public void HostAndPortEntry_IsAnAddressLookupOnThatPort() =>
        Assert.Equal(new DnsTarget(DnsTargetKind.Address, "orders.example.", 8080), Parse(new MeshDnsOptions(), "orders", "orders.example:8080"));

    [Fact]
    public void ServiceWithoutEntry_MapsToNothing()
    {
        var options = new MeshDnsOptions { Services = { ["orders"] = "" } };
        Assert.False(DnsServiceNames.TryGetEntry(options, "payments", out _));
        Assert.False(DnsServiceNames.TryGetEntry(options, "orders.evil.example:80", out _));
        Assert.True(DnsServiceNames.TryGetEntry(options, "orders", out _));
    }

    [Fact]
    public void Entries_MatchServiceNamesCaseInsensitively_EvenInADictionaryTheCallerBuilt()
    {
        var options = new MeshDnsOptions { Services = new Dictionary<string, string> { ["Orders"] = "orders.example:80" } };
        Assert.True(DnsServiceNames.TryGetEntry(options, "orders", out var value));
        Assert.Equal("orders.example:80", value);
    }

    [Theory]
    [InlineData("orders", "orders.example", "host:port")]
    [InlineData("orders", "orders.example:0", "port in [1, 65535]")]
    [InlineData("orders", "orders.example:70000", "port in [1, 65535]")]
    [InlineData("orders", "10.0.0.1:8080", "Services:orders:http")]
    [InlineData("orders", "_http", "SRV name")]
    [InlineData("orders", "_http._tcp.bad name.example", "SRV name")]
    [InlineData("orders", "bad host:80", "DNS host name")]
    [InlineData("Orders.V2", "", "not a DNS label")]
    public void InvalidEntry_SaysWhy(string service, string value, string reason)
    {
        Assert.False(DnsServiceNames.TryParse(new MeshDnsOptions(), service, value, out _, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    private static DnsTarget Parse(MeshDnsOptions options, string service, string value)
    {
        Assert.True(DnsServiceNames.TryParse(options, service, value, out var target, out var reason), reason);
        return target;
    }
}
