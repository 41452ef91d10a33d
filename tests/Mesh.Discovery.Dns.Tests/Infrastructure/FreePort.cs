using System.Net;
using System.Net.Sockets;

namespace Mesh.Discovery.Dns.Tests.Infrastructure;

/// <summary>Free ports on loopback, chosen by the OS.</summary>
public static class FreePort
{
    /// <summary>A port free for both UDP and TCP on 127.0.0.1 (DNS listens on both).</summary>
    public static int UdpAndTcp()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }
}
