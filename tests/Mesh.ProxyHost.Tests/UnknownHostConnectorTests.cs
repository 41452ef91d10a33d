using System.Collections.Concurrent;
using System.Net;
using Mesh.Classification;
using Mesh.ProxyHost.Features.Forwarding;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Unknown hosts (when allowed) are resolved once and refused when a name points at a link-local or metadata address;
/// otherwise the connection goes to the addresses that were checked. DNS is a fake here (the tests' network is loopback).
/// </summary>
public class UnknownHostConnectorTests
{
    private readonly ConcurrentQueue<string> _resolved = new();

    private Task<IPAddress[]> Resolve(string host, CancellationToken cancellationToken)
    {
        _resolved.Enqueue(host);
        return Task.FromResult(host switch
        {
            "metadata.google.internal" => [IPAddress.Parse("169.254.169.254")],
            "imds.example" => [IPAddress.Parse("fd00:ec2::254")],
            "mixed.example" => [IPAddress.Loopback, IPAddress.Parse("169.254.169.254")],
            "orders.example" => [IPAddress.Loopback],
            _ => Array.Empty<IPAddress>(),
        });
    }

    [Theory]
    [InlineData("metadata.google.internal")]
    [InlineData("imds.example")]
    [InlineData("mixed.example")]
    [InlineData("nowhere.example")]
    public async Task ANameResolvingToAForbiddenAddress_IsRefusedBeforeAnyConnection(string host)
    {
        await using var backend = await TestBackend.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectCallback = new UnknownHostConnector(Resolve).ConnectAsync });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://{host}:{new Uri(backend.Url).Port}/"));

        Assert.Equal(FailureReasons.ForbiddenAddress, Assert.IsType<ConnectRefusedException>(error.InnerException).Reason);
        Assert.Equal([host], _resolved);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task ANameResolvingToAllowedAddresses_ConnectsToTheAddressesChecked()
    {
        await using var backend = await TestBackend.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectCallback = new UnknownHostConnector(Resolve).ConnectAsync });

        using var response = await client.GetAsync($"http://orders.example:{new Uri(backend.Url).Port}/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["orders.example"], _resolved);
        Assert.Equal(1, backend.Requests);
    }
}
