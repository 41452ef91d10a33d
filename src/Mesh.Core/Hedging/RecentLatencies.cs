namespace Mesh.Hedging;

/// <summary>
/// A rolling histogram of recent attempt latencies (ten 1-second slots, buckets 20% apart from 50 µs to about a
/// minute), from which the hedging delay is read as a percentile. Only fed when hedging is on.
/// </summary>
internal sealed class RecentLatencies
{
    private const double FirstBucketMs = 0.05;
    private const double Growth = 1.2;
    private const int Buckets = 80;
    private const int Slots = 10;
    private static readonly double LogGrowth = Math.Log(Growth);

    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly long[] _epochs = new long[Slots];
    private readonly int[,] _counts = new int[Slots, Buckets];
    private readonly object _lock = new();

    public RecentLatencies(TimeProvider time)
    {
        _time = time;
        _origin = time.GetTimestamp();
    }

    public void Record(TimeSpan latency)
    {
        var bucket = BucketOf(latency.TotalMilliseconds);
        var epoch = Epoch();
        var slot = (int)(epoch % Slots);
        lock (_lock)
        {
            if (_epochs[slot] != epoch)
            {
                _epochs[slot] = epoch;
                for (var b = 0; b < Buckets; b++)
                {
                    _counts[slot, b] = 0;
                }
            }

            _counts[slot, bucket]++;
        }
    }

    /// <summary>Gets the latency below which <paramref name="percentile"/> of recent attempts finished; null with fewer than <paramref name="minSamples"/>.</summary>
    public TimeSpan? Percentile(double percentile, int minSamples = 20)
    {
        Span<long> merged = stackalloc long[Buckets];
        long total = 0;
        var epoch = Epoch();
        lock (_lock)
        {
            for (var slot = 0; slot < Slots; slot++)
            {
                if (_epochs[slot] > epoch - Slots && _epochs[slot] <= epoch)
                {
                    for (var b = 0; b < Buckets; b++)
                    {
                        merged[b] += _counts[slot, b];
                        total += _counts[slot, b];
                    }
                }
            }
        }

        if (total < minSamples)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(percentile * total);
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

    private static int BucketOf(double ms) =>
        ms <= FirstBucketMs ? 0 : Math.Min(Buckets - 1, (int)Math.Ceiling(Math.Log(ms / FirstBucketMs) / LogGrowth));

    private static double UpperBoundMs(int bucket) => FirstBucketMs * Math.Pow(Growth, bucket);

    // Epochs start at 1 so untouched slots (0) never count.
    private long Epoch() => (long)_time.GetElapsedTime(_origin).TotalSeconds + 1;
}
