using Mesh.Stats;
using Mesh.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.Stats;

public sealed class TrafficStatsTests
{
    [Fact]
    public void Snapshot_WhileTheClockCrossesASecond_CountsRequestsAndFailuresOfTheSameSeconds()
    {
        // The clock moves 300 ms at every read, as a loaded machine's may between two reads of one snapshot: each
        // snapshot straddles a second's edge, and the series are made 300 ms apart.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(300) };
        var stats = new TrafficStats(time);
        var bucket = LatencyHistogram.BucketOf(TimeSpan.FromMilliseconds(2));

        // Second 1: two successes. Second 2: one failure. Over a one-second window, a snapshot sees either second
        // whole, (2 requests, all good) or (1 request, none good), or nothing once both have passed.
        var second = time.TimestampFrequency;
        var start = time.GetTimestamp();
        stats.RecordAt(failure: false, bucket, start + second);
        stats.RecordAt(failure: false, bucket, start + second);
        stats.RecordAt(failure: true, bucket, start + (2 * second));

        var seen = new List<(long Count, double? SuccessRate)>();
        while (time.GetTimestamp() < start + (4 * second))
        {
            var snapshot = stats.Snapshot(TimeSpan.FromSeconds(1));
            seen.Add((snapshot.Count, snapshot.SuccessRate));
        }

        Assert.All(seen, s => Assert.Contains(s, new[] { (2L, (double?)1.0), (1L, 0.0), (0L, null) }));
        Assert.Contains((2L, (double?)1.0), seen);
        Assert.Contains((1L, (double?)0.0), seen);
    }
}
