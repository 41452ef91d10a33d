using Mesh.Hedging;
using Mesh.Internal;
using Mesh.Stats;
using Mesh.Telemetry;

namespace Mesh.Routing;

/// <summary>
/// What a service has learned about one <c>mesh.route</c> value: its requests over the last minute (for <c>/stats</c>), its
/// retries, and, once a policy that hedges has used it, its recent attempt latencies (hedging's delay is the route's own
/// percentile: a slow report and a fast lookup do not share one). Kept across reloads, like the service's other statistics.
/// </summary>
internal sealed class RouteStats
{
    private readonly TimeProvider _time;
    private readonly RollingCounter _retries;
    private HedgingLatencies? _hedging;

    public RouteStats(string name, TimeProvider time)
    {
        Name = name;
        _time = time;
        Requests = new TrafficStats(time);
        _retries = new RollingCounter(time, LatencyHistogram.MaxWindow, slots: 60);
    }

    /// <summary>Gets the <c>mesh.route</c> value, made once.</summary>
    public string Name { get; }

    /// <summary>Gets the route's requests as the callers saw them.</summary>
    public TrafficStats Requests { get; }

    /// <summary>Gets the route's recent attempt latencies, once a policy that hedges has asked for them.</summary>
    public LatencyHistogram? RecentLatencies => Volatile.Read(ref _hedging)?.Recent;

    /// <summary>Gets the route's latencies with the percentile hedging waits for, once a policy that hedges has asked for them.</summary>
    public HedgingLatencies? Hedging => Volatile.Read(ref _hedging);

    /// <summary>Starts keeping attempt latencies for hedging (once; a policy that hedges asks at each request).</summary>
    public void KeepRecentLatencies()
    {
        if (Volatile.Read(ref _hedging) is null)
        {
            Interlocked.CompareExchange(ref _hedging, new HedgingLatencies(_time), null);
        }
    }

    /// <summary>Counts a retry (or hedge) of one of the route's requests.</summary>
    public void RecordRetry() => _retries.Add();

    /// <summary>Gets the route's statistics over <paramref name="window"/>.</summary>
    public RouteSnapshot Snapshot(TimeSpan window) =>
        new(Name, Requests.Snapshot(window), _retries.Sum((int)Math.Ceiling(window.TotalSeconds)) / window.TotalSeconds);
}
