using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Mesh.Discovery.Dns.Resolution;

/// <summary>Parses <see cref="MeshDnsOptions.Servers"/> entries: <c>ip</c> or <c>ip:port</c>, port 53 by default.</summary>
internal static class DnsServers
{
    public const int DefaultPort = 53;

    public static bool TryParse(string? value, [NotNullWhen(true)] out IPEndPoint? server)
    {
        server = null;
        if (string.IsNullOrWhiteSpace(value) || !IPEndPoint.TryParse(value.Trim(), out var parsed))
        {
            return false;
        }

        server = parsed.Port == 0 ? new IPEndPoint(parsed.Address, DefaultPort) : parsed;
        return true;
    }
}
