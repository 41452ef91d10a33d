using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// Where an accepted connection was going before netfilter's REDIRECT sent it to the sidecar: <c>SO_ORIGINAL_DST</c>
/// (IPv4 <c>SOL_IP</c>, IPv6 <c>SOL_IPV6</c>; the option has the same number in both). Read with getsockopt directly
/// rather than <see cref="Socket.GetRawSocketOption"/>, which throws for every connection that was not redirected:
/// an exception per explicit-mode connection would cost more than the rest of accepting it.
/// </summary>
internal static partial class OriginalDestination
{
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80;

    /// <summary>
    /// Gets the connection's original destination, or null when it was not redirected: no NAT entry for it (no
    /// iptables rules, or none matched), or the destination it names is the socket's own local address.
    /// </summary>
    public static IPEndPoint? Of(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || socket.LocalEndPoint is not IPEndPoint local)
        {
            return null;
        }

        var destination = Read(socket, local.AddressFamily == AddressFamily.InterNetworkV6 && !local.Address.IsIPv4MappedToIPv6);
        return destination is null || destination.Equals(Normalize(local)) ? null : destination;
    }

    private static IPEndPoint? Read(Socket socket, bool ipv6)
    {
        Span<byte> raw = stackalloc byte[28];
        var length = (uint)raw.Length;
        if (GetSockOpt(socket.SafeHandle, ipv6 ? SolIpv6 : SolIp, SoOriginalDst, ref MemoryMarshal.GetReference(raw), ref length) != 0)
        {
            return null;
        }

        // sockaddr_in: family, port (network order), address; sockaddr_in6: family, port, flow info, address, scope.
        var port = BinaryPrimitives.ReadUInt16BigEndian(raw[2..]);
        return ipv6
            ? length >= 24 ? new IPEndPoint(Normalize(new IPAddress(raw.Slice(8, 16))), port) : null
            : length >= 8 ? new IPEndPoint(new IPAddress(raw.Slice(4, 4)), port) : null;
    }

    private static IPEndPoint Normalize(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(SafeHandle socket, int level, int name, ref byte value, ref uint length);
}
