using System.Net;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// Resolves the names of unknown hosts (<c>Mesh:Proxy:Outbound:AllowUnknownHosts</c>) that a CONNECT names: through the
/// operating system's resolver (<see cref="Dns"/>), once per tunnel. A seam: tests give names addresses of their own.
/// </summary>
internal sealed class HostResolver(Func<string, CancellationToken, Task<IPAddress[]>> resolve)
{
    /// <summary>Gets the resolver of the operating system.</summary>
    public static HostResolver System { get; } = new(Dns.GetHostAddressesAsync);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => resolve(host, cancellationToken);
}
