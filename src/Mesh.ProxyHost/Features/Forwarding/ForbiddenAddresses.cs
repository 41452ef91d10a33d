using System.Net;
using System.Net.Sockets;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// Where the sidecar never forwards a request for an unknown host (<c>Mesh:Proxy:Outbound:AllowUnknownHosts</c>):
/// link-local addresses (where cloud metadata services live), the metadata services outside that range, and the
/// unspecified address. Configured services may point anywhere: their addresses are the operator's choice.
/// </summary>
internal static class ForbiddenAddresses
{
    private static readonly IPAddress[] MetadataServices =
    [
        IPAddress.Parse("fd00:ec2::254"), // AWS instance metadata over IPv6
        IPAddress.Parse("100.100.100.200"), // Alibaba Cloud metadata
        IPAddress.Parse("192.0.0.192"), // Oracle Cloud metadata (legacy)
    ];

    public static bool Contains(IPAddress address)
    {
        var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return ip.IsIPv6LinkLocal
            || (ip.AddressFamily == AddressFamily.InterNetwork && ip.GetAddressBytes() is [169, 254, _, _])
            || ip.Equals(IPAddress.Any)
            || ip.Equals(IPAddress.IPv6Any)
            || Array.IndexOf(MetadataServices, ip) >= 0;
    }
}
