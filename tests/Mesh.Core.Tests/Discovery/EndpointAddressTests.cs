using System.Net;
using Mesh.Discovery;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh.Core.Tests.Discovery;

public sealed class EndpointAddressTests
{
    [Theory]
    [InlineData("10.0.0.5", 8080, "http://10.0.0.5:8080/")]
    [InlineData("10.0.0.5", 0, "http://10.0.0.5/")]
    [InlineData("fd00:ec2::254", 0, "http://[fd00:ec2::254]/")]
    [InlineData("fd00:ec2::254", 9090, "http://[fd00:ec2::254]:9090/")]
    public void AnIpEndpoint_WithoutAPort_GetsTheSchemesDefault_NotPortZero(string address, int port, string expected)
    {
        var uri = EndpointAddress.From(ServiceEndpoint.Create(new IPEndPoint(IPAddress.Parse(address), port)));

        Assert.Equal(expected, uri!.ToString());
        Assert.NotEqual(0, uri.Port);
    }

    [Theory]
    [InlineData("orders.internal", 0, "http://orders.internal/")]
    [InlineData("orders.internal", 8081, "http://orders.internal:8081/")]
    public void ADnsEndpoint_KeepsItsPort_OrTheDefault(string host, int port, string expected) =>
        Assert.Equal(expected, EndpointAddress.From(ServiceEndpoint.Create(new DnsEndPoint(host, port)))!.ToString());
}
