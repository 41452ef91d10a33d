using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Tap;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Tests.Transparent;

/// <summary>
/// Opaque TCP: what is not HTTP goes through as bytes, both ways, in order, with half-close, balanced over the
/// service's endpoints when a configured service claims the connection. Here the connections come through CONNECT
/// tunnels (an intercepted connection whose original destination is the tunnel's authority: the same path netfilter's
/// redirect takes, which the namespace tests in Mesh.Cli.Tests cover); the client sends binary bytes, so detection
/// says opaque at once.
/// </summary>
/// <remarks>Serial: the sidecar's exporter reads every meter named "Mesh" in the process.</remarks>
[Collection(SerialCollection.Name)]
public class OpaqueTcpTests
{
    private const int TenMegabytes = 10 * 1024 * 1024;

    [Fact]
    public async Task TenMegabytesEachWay_ArriveHashIdentical_WithHalfClose_CountedInTcpMetrics()
    {
        using var server = TcpBlobServer.Start(TenMegabytes);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["blob"] = [server.Url] }));
        var upload = new byte[TenMegabytes];
        new Random(11).NextBytes(upload);
        upload[0] = 0; // not a letter: no HTTP method starts like this

        using var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "blob:9000");
        Assert.Equal(200, tunnel.Status);

        // The client sends 10 MB and half-closes; the server reads to that FIN while sending its 10 MB, then answers
        // with the hash of what it read: it can only answer if the FIN came through, and the answer still reaches us.
        var received = await TcpBlobServer.ExchangeAsync(tunnel.Stream, upload, tunnel.ShutdownSend);

        Assert.Equal(TenMegabytes + 32, received.Length);
        Assert.Equal(SHA256.HashData(server.Blob), SHA256.HashData(received.AsSpan(0, TenMegabytes)));
        Assert.Equal(SHA256.HashData(upload), received[TenMegabytes..]);

        string[] service = ["mesh_service=\"blob\"", "mesh_direction=\"outbound\""];
        Assert.Equal(TenMegabytes, await Scrape.WaitForAsync(sidecar, TenMegabytes, "mesh_tcp_bytes_total", [.. service, "network_io_direction=\"transmit\""]));
        Assert.Equal(TenMegabytes + 32, await Scrape.WaitForAsync(sidecar, TenMegabytes + 32, "mesh_tcp_bytes_total", [.. service, "network_io_direction=\"receive\""]));
        Assert.Equal(1, await Scrape.WaitForAsync(sidecar, 1, "mesh_tcp_connections_total", [.. service, "mesh_tcp_event=\"close\"", "mesh_tcp_outcome=\"closed\""]));
        Assert.Equal(1, await Scrape.WaitForAsync(sidecar, 1, "mesh_tcp_connections_total", [.. service, "mesh_tcp_event=\"open\"", "mesh_tcp_detection=\"not_http\""]));
    }

    [Fact]
    public async Task AServiceWithADeadEndpoint_EveryConnectionSucceeds_AndTheDeadOneIsChargedAndEjected()
    {
        using var server = TcpBlobServer.Start(1024);
        using var refusing = RefusingPort();
        var dead = ((IPEndPoint)refusing.LocalEndPoint!).Port;
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["blob"] = [$"http://127.0.0.1:{dead}", server.Url] }));
        byte[] upload = [0, 1, 2, 3];

        // Each connection is balanced anew; a refused connect sent nothing, so it is tried on the other endpoint.
        for (var i = 0; i < 40; i++)
        {
            using var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "blob:9000");
            var received = await TcpBlobServer.ExchangeAsync(tunnel.Stream, upload, tunnel.ShutdownSend);
            Assert.Equal(1024 + 32, received.Length);
        }

        Assert.Equal(40, server.Connections);
        Assert.True(await Scrape.WaitForAsync(sidecar, 1, "mesh_endpoint_ejections_total", $"mesh_endpoint=\"127.0.0.1:{dead}\"") >= 1);
        Assert.Equal(40, await Scrape.WaitForAsync(sidecar, 40, "mesh_tcp_connections_total", "mesh_service=\"blob\"", "mesh_tcp_outcome=\"closed\""));
    }

    [Fact]
    public async Task TheTap_ShowsATcpConnection_WhenItCloses()
    {
        using var server = TcpBlobServer.Start(100);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["blob"] = [server.Url] }));
        using var subscription = sidecar.Services.GetRequiredService<MeshTap>().Subscribe(new TapQuery());

        using (var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "blob:9000"))
        {
            await TcpBlobServer.ExchangeAsync(tunnel.Stream, [0, 9, 9], tunnel.ShutdownSend);
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tapped = await subscription.Events.ReadAsync(wait.Token);
        Assert.Equal(TapEvent.TcpMethod, tapped.Method);
        Assert.Equal("blob", tapped.Service);
        Assert.Equal($"127.0.0.1:{server.Port}", tapped.Endpoint);
        Assert.Equal("success", tapped.Classification);
        Assert.Equal(new TapTcp(3, 132, "closed", "not_http"), tapped.Tcp);
    }

    [Fact]
    public async Task AServiceWhoseEndpointsAllRefuse_ResetsTheClient_CountedAsConnectError()
    {
        using var refusing = RefusingPort();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["blob"] = [$"http://127.0.0.1:{((IPEndPoint)refusing.LocalEndPoint!).Port}"] }));

        using var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "blob:9000");
        await tunnel.Stream.WriteAsync(new byte[] { 0, 1 });
        Assert.True(await tunnel.ClosedByProxyAsync());
        Assert.Equal(1, await Scrape.WaitForAsync(sidecar, 1, "mesh_tcp_connections_total", "mesh_service=\"blob\"", "mesh_tcp_outcome=\"connect_error\""));
    }

    // Bound and not listening: connects are refused, and no other test's server can take the port meanwhile.
    private static Socket RefusingPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
