using System.Net;
using System.Net.Sockets;

namespace Mesh.Discovery.Dns.Tests.Infrastructure;

/// <summary>Free ports on loopback for a server the tests stop and start again.</summary>
public static class FreePort
{
    /// <summary>
    /// A port free for both UDP and TCP on 127.0.0.1 (DNS listens on both), below the kernel's ephemeral range: a server
    /// stopped and started again on it (Dnsmasq.StartAgainAsync) cannot find it taken meanwhile as the local port of a
    /// connection some other test opened (seen on CI: held for more than 5 s).
    /// </summary>
    public static int UdpAndTcp()
    {
        var ephemeralStart = EphemeralRangeStart();
        var lowest = Math.Max(1024, ephemeralStart - 12_000);
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(lowest, ephemeralStart);
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 50)
            {
            }
        }
    }

    // net.ipv4.ip_local_port_range's first port (32768 by default), where the ports of outgoing connections begin.
    private static int EphemeralRangeStart()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(Range) && int.TryParse(File.ReadAllText(Range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var start) && start > 2048
            ? start
            : 32768;
    }
}
