using Mesh.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.Telemetry;

public sealed class LatencyHistogramTests
{
    [Fact]
    public async Task ConcurrentRecords_AreAllCounted()
    {
        var time = new FakeTimeProvider();
        var histogram = new LatencyHistogram(time);

        // Four writers, 50,000 samples each, across a second boundary (the slot of the new second is cleared once).
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                histogram.Record(TimeSpan.FromMilliseconds(1 + (i % 10)));
                if (w == 0 && i == 25_000)
                {
                    time.Advance(TimeSpan.FromSeconds(1));
                }
            }
        })));

        // The median of samples spread evenly over 1..10 ms is about 5 ms (bucket bounds are 20% apart).
        var median = histogram.Percentile(0.5, TimeSpan.FromSeconds(10), minSamples: 200_000);
        Assert.NotNull(median);
        Assert.InRange(median.Value.TotalMilliseconds, 4.5, 6.5);
        Assert.Null(histogram.Percentile(0.5, TimeSpan.FromSeconds(10), minSamples: 200_001));
    }

    [Fact]
    public void SamplesOlderThanTheWindow_DoNotCount()
    {
        var time = new FakeTimeProvider();
        var histogram = new LatencyHistogram(time);
        histogram.Record(TimeSpan.FromMilliseconds(100));
        time.Advance(TimeSpan.FromSeconds(5));
        histogram.Record(TimeSpan.FromMilliseconds(1));

        Assert.InRange(histogram.Percentile(1.0, TimeSpan.FromSeconds(2))!.Value.TotalMilliseconds, 1, 1.2);
        Assert.True(histogram.Percentile(1.0, TimeSpan.FromSeconds(10))!.Value.TotalMilliseconds >= 100);

        // A minute later the slot of the first sample is reused, and the old sample is gone for good.
        time.Advance(TimeSpan.FromSeconds(56));
        histogram.Record(TimeSpan.FromMilliseconds(1));
        Assert.True(histogram.Percentile(1.0, TimeSpan.FromSeconds(60))!.Value.TotalMilliseconds < 2);
    }

    [Fact]
    public void Percentile_OfOneSample_IsTheUpperBoundOfItsBucket_LessThanTwentyPercentAbove()
    {
        // Latencies from one tick (100 ns) to a minute, 2% apart, and each bucket bound's neighbours (one tick either side).
        var latencies = new List<long>();
        for (var ticks = 1.0; ticks <= TimeSpan.TicksPerMinute; ticks *= 1.02)
        {
            latencies.Add((long)ticks);
        }

        for (var bound = 0.05 * TimeSpan.TicksPerMillisecond; bound <= TimeSpan.TicksPerMinute; bound *= 1.2)
        {
            latencies.AddRange([(long)bound - 1, (long)bound, (long)bound + 1]);
        }

        var time = new FakeTimeProvider();
        foreach (var ticks in latencies)
        {
            var histogram = new LatencyHistogram(time);
            var latency = TimeSpan.FromTicks(ticks);
            histogram.Record(latency);

            // Bucket bounds are 50 us x 1.2^n: a sample reads back as the first bound at or above it.
            var read = histogram.Percentile(1.0, TimeSpan.FromSeconds(1))!.Value.TotalMilliseconds;
            var ms = latency.TotalMilliseconds;
            Assert.True(read >= ms - 1e-9, $"{ticks} ticks read back as {read} ms, below the sample");
            Assert.True(ms <= 0.05 ? read < 0.05 + 1e-9 : read < ms * 1.2 + 1e-9, $"{ticks} ticks read back as {read} ms, a bucket too high");
        }
    }
}
