using System.Security.Cryptography;
using Mesh.ProxyHost.Features.Tcp;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Mesh.ProxyHost.Tests.Transparent;

/// <summary>
/// The opaque TCP relay's ends: half-close in both orders (each side's FIN passed on while the other direction keeps
/// flowing, no byte lost), the idle timeout, and its memory bound with readers that do not read. Through CONNECT tunnels,
/// the path an intercepted connection takes (<see cref="OpaqueTcpTests"/>).
/// </summary>
/// <remarks>Serial: the sidecar's exporter reads every meter named "Mesh" in the process, and the relay's accounting is process-wide.</remarks>
[Collection(SerialCollection.Name)]
public class TcpRelayTests(ITestOutputHelper output)
{
    private const int Megabyte = 1024 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HalfClose_EitherSideFirst_TheOtherDirectionKeepsFlowing_NoByteLost(bool serverFinFirst)
    {
        using var server = TcpHalfCloseServer.Start(Megabyte, serverFinFirst);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["halves"] = [server.Url] }));
        var head = Bytes(64 * 1024, seed: 1);
        var tail = Bytes(4 * Megabyte, seed: 2);

        using var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "halves:9000");
        var received = await TcpHalfCloseServer.ExchangeAsync(tunnel.Stream, head, tail, tunnel.ShutdownSend, serverFinFirst);

        // Server first: the client read the server's FIN before it sent its 4 MB tail, and the server still read all of
        // it. Client first: the server read the client's FIN, then sent its megabyte, which still came back.
        Assert.Equal(SHA256.HashData(server.Blob), SHA256.HashData(received));
        Assert.Equal(SHA256.HashData([.. head, .. tail]), await server.NextReadHashAsync());
        string[] service = ["mesh_service=\"halves\"", "mesh_tcp_event=\"close\""];
        Assert.Equal(1, await Scrape.WaitForAsync(sidecar, 1, "mesh_tcp_connections_total", [.. service, "mesh_tcp_outcome=\"closed\""]));
        Assert.Equal(head.Length + tail.Length, await Scrape.WaitForAsync(sidecar, head.Length + tail.Length, "mesh_tcp_bytes_total", "mesh_service=\"halves\"", "network_io_direction=\"transmit\""));
    }

    [Fact]
    public async Task AConnectionIdleForTheIdleTimeout_IsClosedOnBothSides_CountedAsIdleTimeout()
    {
        using var server = TcpEchoServer.Start();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [server.Url] }),
            services => services.AddSingleton<TimeProvider>(time),
            "--Mesh:Proxy:Tcp:IdleTimeout=01:00:00");
        byte[] ping = [0, 1, 2, 3];

        using var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "echo:7");
        Assert.Equal(ping, await TcpEchoServer.RoundTripAsync(tunnel.Stream, ping));

        // 59 minutes without a byte, then one round trip: the hour starts again from it.
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(ping, await TcpEchoServer.RoundTripAsync(tunnel.Stream, ping));
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(ping, await TcpEchoServer.RoundTripAsync(tunnel.Stream, ping));
        Assert.Equal(0, Scrape.Sum(await sidecar.GetAdminAsync("/metrics"), "mesh_tcp_connections_total", "mesh_service=\"echo\"", "mesh_tcp_event=\"close\""));

        // An hour without a byte either way: both sides are closed, cleanly.
        time.Advance(TimeSpan.FromMinutes(60));
        Assert.Equal(0, await tunnel.Stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("fin", await server.NextEndAsync());
        Assert.Equal(1, await Scrape.WaitForAsync(sidecar, 1, "mesh_tcp_connections_total", "mesh_service=\"echo\"", "mesh_tcp_event=\"close\"", "mesh_tcp_outcome=\"idle_timeout\""));
    }

    [Fact]
    public async Task ManyConnectionsWhoseReadersDoNotRead_TheSidecarHoldsABoundedAmount_HoweverMuchIsSent()
    {
        const int connections = 16;
        const long offered = 64L * Megabyte;
        var chunk = Bytes(64 * 1024, seed: 3);
        using var server = TcpPushServer.Start(chunk, offered);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["push"] = [server.Url] }));
        var tunnels = new List<ConnectTunnel>();
        var clientPushed = new long[connections];
        using var stop = new CancellationTokenSource();
        var pushes = new List<Task>();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var held = new PeakSampler(static () => TcpRelay.HeldBytes);
        try
        {
            // Each client sends 64 MB and never reads; each server behind the sidecar sends 64 MB and never reads.
            for (var i = 0; i < connections; i++)
            {
                var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "push:9000");
                tunnels.Add(tunnel);
                var index = i;
                pushes.Add(TcpPushServer.PushAsync(tunnel.Stream.Socket, chunk, offered, n => Interlocked.Add(ref clientPushed[index], n), stop.Token));
            }

            // Until both ends of every connection stopped getting anywhere: a second without a byte more taken.
            var (still, last) = (0, -1L);
            for (var poll = 0; poll < 1200 && still < 10; poll++)
            {
                await Task.Delay(100);
                var total = server.Pushed + clientPushed.Sum();
                var started = server.Connections == connections && clientPushed.All(p => p >= Megabyte);
                (still, last) = (started && total == last ? still + 1 : 0, total);
            }

            Assert.True(still >= 10, $"the senders never stopped: clients {clientPushed.Sum() / Megabyte} MB, servers {server.Pushed / Megabyte} MB");
            var heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

            // What the relays hold: at most Kestrel's input pipe (paused at 1 MiB, plus the read that crossed it) and
            // one chunk of the destination's per connection, whatever the senders offered (2 GB here).
            var bound = connections * ((long)TcpRelay.InputLimit + 4096 + TcpRelay.ReadSize);
            var figures = $"clients took {clientPushed.Sum() / Megabyte} MB, servers {server.Pushed / Megabyte} MB of {2 * connections * offered / Megabyte} MB offered; " +
                $"the relays held at most {held.Peak / 1024} KiB (bound {bound / 1024} KiB); managed heap +{heapGrowth / Megabyte} MB";
            output.WriteLine(figures);
            Assert.True(held.Peak <= bound, figures);
            Assert.True(held.Peak > 0, $"the relays were never seen holding anything: {figures}");
            Assert.All(clientPushed, pushed => Assert.True(pushed < offered / 2, figures));
            Assert.True(server.Pushed < connections * offered / 2, figures);
            Assert.True(heapGrowth < connections * 2L * Megabyte, figures);
        }
        finally
        {
            await stop.CancelAsync();
            tunnels.ForEach(static t => t.Dispose());
            await Task.WhenAll(pushes);
        }

        // Every connection reset by its client: the relays let go of what they held.
        await Eventually.TrueAsync(() => Task.FromResult(TcpRelay.HeldBytes == 0), "the relays hold nothing");
        Assert.Equal(connections, await Scrape.WaitForAsync(sidecar, connections, "mesh_tcp_connections_total", "mesh_service=\"push\"", "mesh_tcp_event=\"close\""));
    }

    private static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0; // not a letter: no HTTP method starts like this, so detection says opaque at once
        return bytes;
    }
}
