using System.Net;
using System.Net.Sockets;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Tests.Transparent;

/// <summary>
/// The IPv6 twins of the listeners (Mesh:Proxy:ListenIPv6): what ip6tables' REDIRECT delivers to <c>[::1]</c> (outbound)
/// and to the pod's IPv6 address (inbound) reaches the same listener as IPv4 does. End to end, with the rules, in the
/// namespace lab (Mesh.Cli.Tests' TransparentSidecarTests); here, which sockets the sidecar opens.
/// </summary>
public class IPv6TwinsTests
{
    [Fact]
    public async Task AListenerOnAFixedLoopbackPort_AlsoAnswersOnIPv6Loopback_WhereTheHostHasIt()
    {
        var port = FreePort.Get();
        await using var backend = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["web"] = [backend.Url] }), $"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{port}");

        if (!new IPv6Twins(enabled: true).Enabled)
        {
            // No IPv6 here (a container with it off): the sidecar started without the twin.
            Assert.False(await AnswersAsync(IPAddress.IPv6Loopback, port));
            return;
        }

        var response = await RawHttp.SendAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), "GET /hello HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal(1, backend.Requests);
        Assert.Equal([port, sidecar.OutboundHttp2Port], sidecar.Services.GetRequiredService<Listeners>().Ports(Listeners.Outbound));
    }

    [Fact]
    public async Task WithListenIPv6Off_OnlyTheIPv4AddressIsListenedOn()
    {
        var port = FreePort.Get();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), $"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{port}", "--Mesh:Proxy:ListenIPv6=false");

        Assert.True(await AnswersAsync(IPAddress.Loopback, port));
        Assert.False(await AnswersAsync(IPAddress.IPv6Loopback, port));
    }

    [Fact]
    public void TheAnyAddressTwin_TakesIPv6Only_BesideTheIPv4SocketOnTheSamePort()
    {
        var twins = new IPv6Twins(enabled: true);
        if (!twins.Enabled)
        {
            return; // No IPv6 here: nothing to bind.
        }

        using var ipv4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        ipv4.Bind(new IPEndPoint(IPAddress.Any, 0));
        var port = ((IPEndPoint)ipv4.LocalEndPoint!).Port;
        var twin = twins.Of(new ListenAddress(IPAddress.Any, port))!;

        using var ipv6 = twins.CreateBoundListenSocket(new IPEndPoint(twin.Address, twin.Port));

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, port), ipv6.LocalEndPoint);
        Assert.False(ipv6.DualMode);
        Assert.Null(twins.Of(new ListenAddress(IPAddress.Any, 0))); // a port the OS chooses: no twin
        Assert.Null(twins.Of(new ListenAddress(IPAddress.Parse("10.0.0.5"), port))); // one address: no twin
    }

    private static async Task<bool> AnswersAsync(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
