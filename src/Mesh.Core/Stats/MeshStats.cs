using Mesh.Admin;

namespace Mesh.Stats;

/// <summary>
/// Mesh's live statistics, the document <c>GET /stats</c> answers (the sidecar's admin port, <c>MapMeshAdmin()</c>):
/// per service and direction the request rate, success rate and latency percentiles, per endpoint its state and
/// load, per route the same as per service, and the sidecar's opaque TCP destinations. Registered by
/// <c>AddMeshCore</c> (every <c>AddMesh</c> and <c>AddMeshClient</c> calls it), for an application's own health
/// checks or pages.
/// </summary>
public sealed class MeshStats
{
    private readonly MeshServiceRegistry _services;
    private readonly IServiceProvider? _provider;

    internal MeshStats(MeshServiceRegistry services, IServiceProvider? provider = null)
    {
        _services = services;
        _provider = provider;
    }

    /// <summary>Gets the longest window statistics are kept for: a minute.</summary>
    public static TimeSpan MaxWindow { get; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Reads every service's statistics (or only <paramref name="service"/>'s, case-insensitive) over the last
    /// <paramref name="window"/>. Statistics are kept in one-second slots, so the window is rounded up to whole seconds
    /// and the document says which window it covers.
    /// </summary>
    /// <param name="window">How far back: more than zero, at most <see cref="MaxWindow"/>.</param>
    /// <param name="service">Only this service (both directions); null for every service.</param>
    /// <returns>The statistics, services inbound first, then by name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not in (0, <see cref="MaxWindow"/>].</exception>
    public StatsDocument Read(TimeSpan window, string? service = null)
    {
        if (window <= TimeSpan.Zero || window > MaxWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window must be in (0, {MaxWindow}].");
        }

        window = TimeSpan.FromSeconds(Math.Ceiling(window.TotalSeconds));
        var snapshots = _services.Snapshot(window);
        if (service is not null)
        {
            var only = service.Trim();
            snapshots = snapshots.Where(s => string.Equals(s.Service, only, StringComparison.OrdinalIgnoreCase)).ToList();
        }

        // The sidecar's opaque TCP destinations, when it forwards any (an in-process application has none).
        var tcp = (_provider?.GetService(typeof(TcpStatsRegistry)) as TcpStatsRegistry)?.Snapshot(window) ?? [];
        return StatsDocument.From(window, snapshots, tcp);
    }
}
