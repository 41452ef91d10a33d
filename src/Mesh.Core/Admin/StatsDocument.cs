using Mesh.Stats;

namespace Mesh.Admin;

/// <summary>The answer of <c>GET /stats</c>: every service this runtime has used, over a window.</summary>
/// <param name="WindowSeconds">The window the statistics cover, in seconds.</param>
/// <param name="Services">Each service and direction, <c>inbound</c> first, then by name.</param>
/// <param name="Tcp">The sidecar's opaque TCP connections, by destination and direction, <c>inbound</c> first; empty in-process.</param>
public sealed record StatsDocument(double WindowSeconds, IReadOnlyList<ServiceStatsDocument> Services, IReadOnlyList<TcpStatsDocument>? Tcp = null)
{
    /// <summary>The document for <paramref name="services"/>' statistics over <paramref name="window"/>, rounded as the wire carries them.</summary>
    /// <param name="window">The window the snapshots cover.</param>
    /// <param name="services">The snapshots, from <see cref="MeshServiceRegistry.Snapshot(TimeSpan)"/>.</param>
    /// <returns>The document.</returns>
    internal static StatsDocument From(TimeSpan window, IReadOnlyList<ServiceSnapshot> services) => From(window, services, []);

    /// <summary>The document for services' and opaque TCP destinations' statistics over <paramref name="window"/>.</summary>
    /// <param name="window">The window the snapshots cover.</param>
    /// <param name="services">The services' snapshots.</param>
    /// <param name="tcp">The TCP destinations' snapshots.</param>
    /// <returns>The document.</returns>
    internal static StatsDocument From(TimeSpan window, IReadOnlyList<ServiceSnapshot> services, IReadOnlyList<TcpSnapshot> tcp)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(tcp);
        return new(window.TotalSeconds, services.Select(ServiceStatsDocument.From).ToList(), tcp.Select(TcpStatsDocument.From).ToList());
    }
}
