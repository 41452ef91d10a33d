using System.Collections.Concurrent;

namespace Mesh.Stats;

/// <summary>
/// The <see cref="TcpStats"/> of every destination the sidecar forwards opaque TCP to, by direction and metric name.
/// Names are bounded where they are chosen (configured services, and dynamic names within
/// <c>Mesh:DynamicServices:MaxMetricNames</c>, the rest <c>other</c>), so this is too.
/// </summary>
internal sealed class TcpStatsRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Direction, string Service), TcpStats> _stats = new();

    public TcpStats For(string direction, string service) =>
        _stats.TryGetValue((direction, service), out var stats) ? stats
            : _stats.GetOrAdd((direction, service), static (key, time) => new TcpStats(key.Service, key.Direction, time), time);

    /// <summary>Gets every destination's figures over <paramref name="window"/>, inbound first, then by name.</summary>
    public IReadOnlyList<TcpSnapshot> Snapshot(TimeSpan window) =>
        _stats.OrderBy(static e => e.Key.Direction, StringComparer.Ordinal)
            .ThenBy(static e => e.Key.Service, StringComparer.OrdinalIgnoreCase)
            .Select(e => e.Value.Snapshot(window))
            .ToList();
}
