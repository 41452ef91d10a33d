using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Mesh.ProxyHost.Configuration;

/// <summary>
/// The IPv6 twins of the IPv4 listeners (<c>Mesh:Proxy:ListenIPv6</c>, on by default): a listener on <c>127.0.0.1</c>
/// also listens on <c>[::1]</c>, one on <c>0.0.0.0</c> on <c>[::]</c>, with the same port and the same role, where this
/// host has IPv6. ip6tables' REDIRECT sends what the application dials to <c>[::1]</c> and what arrives for the pod to
/// the pod's own IPv6 address: without the twins, intercepted IPv6 would find nothing listening. The <c>[::]</c> twin
/// takes IPv6 only (<c>IPV6_V6ONLY</c>), beside the IPv4 socket on the same port (Kestrel binds <c>[::]</c> dual-stack,
/// which that socket would refuse). A port the OS chooses (0) gets none: the twin could not know it.
/// </summary>
internal sealed class IPv6Twins
{
    private readonly HashSet<IPEndPoint> _ipv6Only = [];

    public IPv6Twins(bool enabled) => Enabled = enabled && HostHasIPv6();

    /// <summary>Gets whether listeners get twins: asked for, and this host (network namespace) has IPv6 loopback.</summary>
    public bool Enabled { get; }

    /// <summary>Gets the twin of <paramref name="address"/>, or null when it has none.</summary>
    public ListenAddress? Of(ListenAddress address)
    {
        if (!Enabled || address.Port == 0)
        {
            return null;
        }

        var ip = address.Address.Equals(IPAddress.Loopback) ? IPAddress.IPv6Loopback
            : address.Address.Equals(IPAddress.Any) ? IPAddress.IPv6Any
            : null;
        if (ip is null)
        {
            return null;
        }

        if (ip.Equals(IPAddress.IPv6Any))
        {
            lock (_ipv6Only)
            {
                _ipv6Only.Add(new IPEndPoint(ip, address.Port));
            }
        }

        return new ListenAddress(ip, address.Port);
    }

    /// <summary>
    /// Makes Kestrel's listening sockets (<see cref="SocketTransportOptions.CreateBoundListenSocket"/>): a twin on
    /// <c>[::]</c> IPv6 only, any other as Kestrel makes it.
    /// </summary>
    public Socket CreateBoundListenSocket(EndPoint endpoint)
    {
        if (endpoint is IPEndPoint ip && IsIPv6Only(ip))
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = false };
            try
            {
                socket.Bind(ip);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
    }

    /// <summary>Gets whether the listener on <paramref name="endpoint"/> is a twin that takes IPv6 only.</summary>
    public bool IsIPv6Only(IPEndPoint endpoint)
    {
        lock (_ipv6Only)
        {
            return _ipv6Only.Contains(endpoint);
        }
    }

    // A host with IPv6 off (a container with disable_ipv6, a kernel without it) has no ::1 to bind.
    private static bool HostHasIPv6()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
