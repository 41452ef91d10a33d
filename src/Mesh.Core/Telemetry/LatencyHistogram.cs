using System.Numerics;
using Mesh.Internal;

namespace Mesh.Telemetry;

/// <summary>
/// A rolling histogram of latencies: one-second slots over the last minute, buckets 20% apart from 50 µs to about a
/// minute. Percentiles over any window up to a minute are read from it (hedging's delay, the stats API). Recording
/// is an interlocked increment; only the first record of a new second in a slot takes a lock, to clear the slot. A
/// slot's buckets are allocated the first time a second lands in it, so a service or endpoint that sees little traffic
/// holds little (about 350 bytes per second with traffic in the last minute, at most 61 of them). The histogram exists
/// only per service and per endpoint.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>The longest window a percentile can cover.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromSeconds(WindowSlots);

    private const double FirstBucketMs = 0.05;
    private const double Growth = 1.2;
    private const int Buckets = 80;
    private const int WindowSlots = 60;

    // A slot more than the longest window: the slot a new second clears held the second just before any window ending
    // a second earlier, so a read at one timestamp, overtaken by the clock while it sums, sees none of its seconds cleared.
    private const int Slots = WindowSlots + 1;

    // Each bucket's upper bound in TimeSpan ticks, and for each power of two of a latency's ticks the first bucket it can
    // fall in: a latency's bucket, found twice per request, takes a few comparisons instead of a logarithm.
    private static readonly long[] UpperBoundTicks = CreateUpperBoundTicks();
    private static readonly byte[] FirstBucketOfPowerOfTwo = CreateFirstBuckets();

    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly long _ticksPerSecond;
    private readonly long[] _epochs = new long[Slots];
    private readonly int[]?[] _counts = new int[]?[Slots];
    private readonly Lock _resetting = new();

    public LatencyHistogram(TimeProvider time)
    {
        _time = time;
        _origin = time.GetTimestamp();
        _ticksPerSecond = time.TimestampFrequency;
    }

    public void Record(TimeSpan latency) => RecordAt(latency, _time.GetTimestamp());

    /// <summary>Records at <paramref name="timestamp"/>, a value just read from this histogram's clock.</summary>
    public void RecordAt(TimeSpan latency, long timestamp) => RecordAt(BucketOf(latency), timestamp);

    /// <summary>Records a latency in <paramref name="bucket"/> (<see cref="BucketOf(TimeSpan)"/>, computed once for every histogram it goes to) at <paramref name="timestamp"/>.</summary>
    public void RecordAt(int bucket, long timestamp)
    {
        var epoch = EpochAt(timestamp);
        var slot = (int)(epoch % Slots);
        if (Volatile.Read(ref _epochs[slot]) != epoch)
        {
            lock (_resetting)
            {
                var current = _epochs[slot];
                if (current > epoch)
                {
                    // A sample from a minute ago arriving after its slot was reused: too old to count.
                    return;
                }

                if (current != epoch)
                {
                    // Cleared (or made) before the new epoch is published, so no increment of the new second is lost.
                    if (_counts[slot] is { } old)
                    {
                        Array.Clear(old);
                    }
                    else
                    {
                        Volatile.Write(ref _counts[slot], new int[Buckets]);
                    }

                    Volatile.Write(ref _epochs[slot], epoch);
                }
            }
        }

        Interlocked.Increment(ref Volatile.Read(ref _counts[slot])![bucket]);
    }

    /// <summary>
    /// Gets the latency below which <paramref name="percentile"/> of the samples of the last <paramref name="window"/>
    /// fell (the upper bound of its bucket, so at most 20% high); null with fewer than <paramref name="minSamples"/>.
    /// </summary>
    public TimeSpan? Percentile(double percentile, TimeSpan window, int minSamples = 1)
    {
        Span<long> merged = stackalloc long[Buckets];
        var total = Merge(window, _time.GetTimestamp(), merged);
        return total < minSamples || total == 0 ? null : PercentileOf(merged, total, percentile);
    }

    /// <summary>
    /// Gets how many latencies were recorded in the <paramref name="window"/> ending at <paramref name="now"/> (a
    /// timestamp of this histogram's clock, so a caller reading several series reads them all at one moment) and their
    /// p50, p95 and p99 (null without samples), from one pass over the slots.
    /// </summary>
    public LatencySummary SummaryAt(TimeSpan window, long now)
    {
        Span<long> merged = stackalloc long[Buckets];
        var total = Merge(window, now, merged);
        return total == 0
            ? new LatencySummary(0, null, null, null)
            : new LatencySummary(total, PercentileOf(merged, total, 0.50), PercentileOf(merged, total, 0.95), PercentileOf(merged, total, 0.99));
    }

    /// <summary>How many one-second slots a read over <paramref name="window"/> covers: its seconds, rounded up, 1 to 60.</summary>
    public static int SlotsOf(TimeSpan window) => Math.Clamp((int)Math.Ceiling(window.TotalSeconds), 1, WindowSlots);

    /// <summary>
    /// Makes a counter of events in this histogram's slots (the same origin, the same one-second slots): an
    /// event recorded at the timestamp of a latency falls in the same second of both, and both read at one timestamp
    /// cover the same seconds.
    /// </summary>
    public RollingCounter NewAlignedCounter() => new(_time, _origin, _ticksPerSecond, Slots);

    /// <summary>Gets the bucket of <paramref name="latency"/>: the first whose upper bound it does not exceed, or the last.</summary>
    public static int BucketOf(TimeSpan latency)
    {
        var ticks = latency.Ticks;
        if (ticks <= UpperBoundTicks[0])
        {
            return 0;
        }

        int bucket = FirstBucketOfPowerOfTwo[BitOperations.Log2((ulong)ticks)];
        while (bucket < Buckets - 1 && ticks > UpperBoundTicks[bucket])
        {
            bucket++;
        }

        return bucket;
    }

    private long Merge(TimeSpan window, long now, Span<long> merged)
    {
        var slots = SlotsOf(window);
        var epoch = EpochAt(now);
        long total = 0;
        for (var slot = 0; slot < Slots; slot++)
        {
            var slotEpoch = Volatile.Read(ref _epochs[slot]);
            if (slotEpoch > epoch - slots && slotEpoch <= epoch && Volatile.Read(ref _counts[slot]) is { } counts)
            {
                for (var b = 0; b < Buckets; b++)
                {
                    var count = Volatile.Read(ref counts[b]);
                    merged[b] += count;
                    total += count;
                }
            }
        }

        return total;
    }

    // The upper bound of the bucket holding the sample of rank ceil(percentile × total) in merged bucket counts.
    private static TimeSpan PercentileOf(ReadOnlySpan<long> merged, long total, double percentile)
    {
        var rank = Math.Max(1, (long)Math.Ceiling(percentile * total));
        long seen = 0;
        for (var b = 0; b < Buckets; b++)
        {
            seen += merged[b];
            if (seen >= rank)
            {
                return TimeSpan.FromMilliseconds(UpperBoundMs(b));
            }
        }

        return TimeSpan.FromMilliseconds(UpperBoundMs(Buckets - 1));
    }

    private static double UpperBoundMs(int bucket) => FirstBucketMs * Math.Pow(Growth, bucket);

    // Whole ticks: a latency (in whole ticks) is within a bound exactly when it is within the bound's whole part.
    private static long[] CreateUpperBoundTicks()
    {
        var bounds = new long[Buckets];
        for (var b = 0; b < Buckets; b++)
        {
            bounds[b] = (long)Math.Floor(UpperBoundMs(b) * TimeSpan.TicksPerMillisecond);
        }

        return bounds;
    }

    // For latencies of 2^k to 2^(k+1) - 1 ticks, the first bucket whose bound reaches 2^k: every bucket before it ends below.
    private static byte[] CreateFirstBuckets()
    {
        var first = new byte[64];
        for (var k = 0; k < first.Length; k++)
        {
            var b = 0;
            while (b < Buckets - 1 && UpperBoundTicks[b] < 1L << k)
            {
                b++;
            }

            first[k] = (byte)b;
        }

        return first;
    }

    // Epochs start at 1 so untouched slots (0) never count.
    private long EpochAt(long timestamp) => ((timestamp - _origin) / _ticksPerSecond) + 1;
}
