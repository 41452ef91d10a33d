using Mesh.Telemetry;

namespace Mesh.Hedging;

/// <summary>
/// A route's attempt latencies as hedging keeps them: the rolling histogram, and the percentile its hedging delay is
/// read from (the last 10 seconds' latencies, none before 20 of them). Reading a percentile merges every slot of the
/// histogram (61 seconds × 80 buckets), too much for every hedged request; so the percentile is computed at most once a
/// second and kept, and requests read the kept value: one comparison with the clock reading they already have, no lock.
/// The first request a second after the last computation computes it again (one request, while the others go on with the
/// value a second old); a percentile other than the kept one's (a reload changed it) is computed at once, so a new
/// setting applies from the next request. Finagle's BackupRequestFilter does the same with a timer (its cutoff from a
/// windowed histogram every 3 seconds); here the request that finds the value old refreshes it, so a route without
/// traffic costs nothing.
/// </summary>
internal sealed class HedgingLatencies
{
    /// <summary>The latencies a percentile is read from: the last 10 seconds'.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>Below this many latencies in the window there is no percentile (the delay is then the floor).</summary>
    public const int MinSamples = 20;

    private readonly long _keptFor;
    private Kept? _kept;
    private int _refreshing;

    public HedgingLatencies(TimeProvider time)
    {
        Recent = new LatencyHistogram(time);
        _keptFor = time.TimestampFrequency;
    }

    /// <summary>Gets the route's recent attempt latencies.</summary>
    public LatencyHistogram Recent { get; }

    /// <summary>
    /// Gets the latency below which <paramref name="percentile"/> of the route's attempts of the last 10 seconds
    /// finished, as computed less than a second before <paramref name="now"/> (a timestamp of the route's clock); null
    /// with fewer than 20 of them.
    /// </summary>
    public TimeSpan? PercentileAt(double percentile, long now)
    {
        var kept = Volatile.Read(ref _kept);
        if (kept is null || !kept.Percentile.Equals(percentile))
        {
            return Compute(percentile, now);
        }

        if (now - kept.ComputedAt < _keptFor || Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
        {
            // Fresh, or another request is computing it now: the value of the second before is good meanwhile.
            return kept.Latency;
        }

        try
        {
            return Compute(percentile, now);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private TimeSpan? Compute(double percentile, long now)
    {
        var latency = Recent.Percentile(percentile, Window, MinSamples);
        Volatile.Write(ref _kept, new Kept(percentile, now, latency));
        return latency;
    }

    // Swapped whole, so a reader never sees one computation's percentile with another's latency.
    private sealed record Kept(double Percentile, long ComputedAt, TimeSpan? Latency);
}
