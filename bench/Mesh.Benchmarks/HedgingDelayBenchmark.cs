using BenchmarkDotNet.Attributes;
using Mesh.Hedging;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Benchmarks;

/// <summary>
/// The route's latency percentile a hedged request waits for, read the way every hedged request read it before
/// (<c>Computed</c>: the histogram's slots merged, up to 10 seconds × 80 buckets) and the way it reads it now
/// (<c>Kept</c>: the value computed at most once a second). The histogram holds a minute of traffic, 1,000 latencies
/// a second. The clock stands still, so <c>Kept</c> never recomputes: the one computation a second a route pays is a
/// <c>Computed</c> shared by that second's requests. <c>Kept</c> is given the timestamp as the request gives it (the one
/// clock reading the delay already took for the deadline), so it measures the read alone.
/// </summary>
public class HedgingDelayBenchmark
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private HedgingLatencies _latencies = null!;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        _latencies = new HedgingLatencies(_time);
        var random = new Random(42);
        for (var second = 0; second < 60; second++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                _latencies.Recent.Record(TimeSpan.FromMilliseconds(1 + (random.NextDouble() * random.NextDouble() * 200)));
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        _now = _time.GetTimestamp();
    }

    [Benchmark(Baseline = true)]
    public TimeSpan? Computed() => _latencies.Recent.Percentile(0.95, Window, HedgingLatencies.MinSamples);

    [Benchmark]
    public TimeSpan? Kept() => _latencies.PercentileAt(0.95, _now);
}
