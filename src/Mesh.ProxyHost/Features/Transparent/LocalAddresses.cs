using System.Net;
using System.Net.NetworkInformation;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// Whether an address is this host's (its network namespace's): loopback, unspecified, or one of its interfaces'.
/// Asked only for the rare destination whose port is one of the sidecar's own, so the interfaces are read afresh then.
/// </summary>
internal static class LocalAddresses
{
    public static bool Contains(IPAddress address)
    {
        var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.Equals(ip))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
