using Mesh.Internal;
using Mesh.Telemetry;

namespace Mesh.Stats;

/// <summary>
/// Rolling traffic of one service (as its callers saw it, or per attempt) or of one endpoint, over the last minute in
/// one-second slots: how many, how many failed, and the latency distribution. Read as a <see cref="TrafficSnapshot"/>
/// over any window up to a minute.
/// </summary>
internal sealed class TrafficStats(TimeProvider time)
{
    private static readonly TimeSpan Minute = LatencyHistogram.MaxWindow;

    private readonly RollingCounter _failures = new(time, Minute, slots: 60);
    private readonly LatencyHistogram _latency = new(time);

    /// <summary>
    /// Records a latency in <paramref name="bucket"/> (<see cref="LatencyHistogram.BucketOf(TimeSpan)"/>) at
    /// <paramref name="now"/>, a timestamp just read from the clock: the hot path reads the clock once per attempt and
    /// finds the bucket once for every series.
    /// </summary>
    public void RecordAt(bool failure, int bucket, long now)
    {
        if (failure)
        {
            _failures.AddAt(now);
        }

        _latency.RecordAt(bucket, now);
    }

    public TrafficSnapshot Snapshot(TimeSpan window)
    {
        var slots = (int)Math.Ceiling(window.TotalSeconds);
        // Two series, each in one-second slots of its own: at most a sample on a slot's edge apart, never more failures
        // than requests.
        var total = _latency.Count(window);
        var failures = Math.Min(_failures.Sum(slots), total);
        return new TrafficSnapshot(
            Count: total,
            PerSecond: total / window.TotalSeconds,
            SuccessRate: total == 0 ? null : (double)(total - failures) / total,
            P50: _latency.Percentile(0.50, window),
            P95: _latency.Percentile(0.95, window),
            P99: _latency.Percentile(0.99, window));
    }
}
