using System.Collections.Concurrent;
using Mesh.Internal;
using Mesh.Telemetry;

namespace Mesh.Stats;

/// <summary>
/// The rolling statistics of one service, kept for the stats API and the dashboard: requests as callers saw them,
/// attempts, and retries by reason. Endpoints keep their own (<see cref="Endpoints.MeshEndpoint"/>). Survives
/// configuration reloads with the service's endpoints.
/// </summary>
internal sealed class ServiceStats(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RollingCounter> _retries = new(StringComparer.Ordinal);

    public TrafficStats Requests { get; } = new(time);

    public TrafficStats Attempts { get; } = new(time);

    public void RecordRetry(string reason) =>
        _retries.GetOrAdd(reason, static (_, t) => new RollingCounter(t, LatencyHistogram.MaxWindow, slots: 60), time).Add();

    public Dictionary<string, double> RetriesPerSecond(TimeSpan window)
    {
        var slots = (int)Math.Ceiling(window.TotalSeconds);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (reason, counter) in _retries)
        {
            if (counter.Sum(slots) is var count and > 0)
            {
                result[reason] = count / window.TotalSeconds;
            }
        }

        return result;
    }
}
