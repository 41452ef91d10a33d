using System.Net;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// The implicit services of intercepted HTTP that no configured service claims: one per authority and destination
/// dialled, the destination its one endpoint. Named by the destination (<c>10.0.0.7:8080</c>) when the authority is
/// that address, else <c>authority@destination</c> (a name resolving to several addresses is several services, each
/// sending only where it was dialled); their metrics name the authority either way. They are dynamic services:
/// bounded in number and evicted when idle (<c>Mesh:DynamicServices</c>).
/// </summary>
internal static class ImplicitServices
{
    public static string NameOf(string authority, IPEndPoint destination)
    {
        var text = destination.ToString();
        return string.Equals(authority, text, StringComparison.OrdinalIgnoreCase) || IsDefaultPortOf(authority, destination) ? text : $"{authority}@{text}";
    }

    public static Uri EndpointOf(IPEndPoint destination) => new($"http://{destination}");

    // "10.0.0.7" dialled on port 80.
    private static bool IsDefaultPortOf(string authority, IPEndPoint destination) =>
        destination.Port == 80 && IPAddress.TryParse(authority.Trim('[', ']'), out var ip) && ip.Equals(destination.Address);
}
