using Mesh.Internal;
using Mesh.Telemetry;

namespace Mesh.Stats;

/// <summary>
/// Rolling traffic of one service (as its callers saw it, or per attempt) or of one endpoint, over the last minute in
/// one-second slots: how many, how many failed, and the latency distribution. Read as a <see cref="TrafficSnapshot"/>
/// over any window up to a minute.
/// </summary>
internal sealed class TrafficStats
{
    private readonly TimeProvider _time;
    private readonly LatencyHistogram _latency;

    // In the histogram's own slots (one origin, one-second slots): an attempt's failure lands in the second its latency
    // lands in, and a snapshot reading both at one timestamp covers the same seconds of both.
    private readonly RollingCounter _failures;

    public TrafficStats(TimeProvider time)
    {
        _time = time;
        _latency = new LatencyHistogram(time);
        _failures = _latency.NewAlignedCounter();
    }

    /// <summary>
    /// Records a latency in <paramref name="bucket"/> (<see cref="LatencyHistogram.BucketOf(TimeSpan)"/>) at
    /// <paramref name="now"/>, a timestamp just read from the clock: the hot path reads the clock once per attempt and
    /// finds the bucket once for every series.
    /// </summary>
    public void RecordAt(bool failure, int bucket, long now)
    {
        // The request before its failure (both interlocked, so in this order for every reader), and the snapshot reads
        // failures before requests: a snapshot taken while attempts are recorded never sees a failure without its request.
        _latency.RecordAt(bucket, now);
        if (failure)
        {
            _failures.AddAt(now);
        }
    }

    public TrafficSnapshot Snapshot(TimeSpan window)
    {
        var now = _time.GetTimestamp();
        var failures = _failures.SumAt(LatencyHistogram.SlotsOf(window), now);
        var latency = _latency.SummaryAt(window, now);
        var total = latency.Count;
        return new TrafficSnapshot(
            Count: total,
            PerSecond: total / window.TotalSeconds,
            SuccessRate: total == 0 ? null : (double)(total - failures) / total,
            P50: latency.P50,
            P95: latency.P95,
            P99: latency.P99);
    }
}
