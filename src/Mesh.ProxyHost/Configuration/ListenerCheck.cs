using System.Net;
using System.Net.Sockets;

namespace Mesh.ProxyHost.Configuration;

/// <summary>
/// Tries each configured listener address before the server starts, so that one that cannot be bound (in use, a port
/// below 1024 without the right, an address not on this machine) stops the sidecar with exit code 2 and a line naming
/// the key, the address and the reason, all at once, instead of an exception's stack trace at the first.
/// </summary>
internal static class ListenerCheck
{
    /// <summary>Gets one error per listener (key → address) that cannot be bound; <paramref name="ipv6Only"/> says which take IPv6 only.</summary>
    public static List<string> Check(IEnumerable<KeyValuePair<string, ListenAddress>> listeners, Func<IPEndPoint, bool> ipv6Only)
    {
        var errors = new List<string>();
        foreach (var (key, address) in listeners)
        {
            if (Bind(new IPEndPoint(address.Address, address.Port), ipv6Only) is { } reason)
            {
                errors.Add($"{key} {address}: {reason}");
            }
        }

        return errors;
    }

    /// <summary>Says why a listener failed to start, from the server's exception; null when it is not a bind failure.</summary>
    public static string? Describe(Exception exception, IEnumerable<KeyValuePair<string, ListenAddress>> listeners)
    {
        if (exception is not IOException || exception.InnerException is not SocketException socket)
        {
            return null;
        }

        foreach (var (key, address) in listeners)
        {
            if (exception.Message.Contains(address.ToString(), StringComparison.Ordinal))
            {
                return $"{key} {address}: {Reason(socket.SocketErrorCode, socket)}";
            }
        }

        return exception.Message;
    }

    // Binds (no listen) as Kestrel does on Linux, address reuse on: a port another socket listens on is refused, one
    // in TIME_WAIT after a restart is not.
    private static string? Bind(IPEndPoint endpoint, Func<IPEndPoint, bool> ipv6Only)
    {
        try
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (ipv6Only(endpoint))
            {
                socket.DualMode = false;
            }

            socket.Bind(endpoint);
            return null;
        }
        catch (SocketException ex)
        {
            return Reason(ex.SocketErrorCode, ex);
        }
    }

    private static string Reason(SocketError error, SocketException exception) => error switch
    {
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AccessDenied => "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)",
        SocketError.AddressNotAvailable => "address not available (it is not an address of this machine)",
        _ => exception.Message,
    };
}
