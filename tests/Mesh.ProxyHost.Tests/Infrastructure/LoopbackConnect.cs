using System.Net;
using System.Net.Sockets;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// Connects every request to one loopback port whatever its URL says, so that a client can name a service in its
/// URL (and so in <c>Host</c> or <c>:authority</c>) and still reach the sidecar, as a client behind a local DNS
/// name or an iptables redirect would.
/// </summary>
public static class LoopbackConnect
{
    public static SocketsHttpHandler Handler(int port) => new()
    {
        UseProxy = false,
        ConnectCallback = (_, cancellationToken) => ToAsync(port, cancellationToken),
    };

    /// <summary>Opens a connection to 127.0.0.1:<paramref name="port"/>.</summary>
    public static async ValueTask<Stream> ToAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
