using Mesh.Stats;

namespace Mesh.Admin;

/// <summary>Requests or attempts over the window: how many, how well, how fast.</summary>
/// <param name="Count">How many ended in the window.</param>
/// <param name="PerSecond">Their rate, 3 decimals.</param>
/// <param name="SuccessRate">The share that succeeded, 5 decimals; null when <paramref name="Count"/> is 0.</param>
/// <param name="LatencyMs">The percentiles of their durations.</param>
public sealed record TrafficDocument(long Count, double PerSecond, double? SuccessRate, LatencyDocument LatencyMs)
{
    internal static TrafficDocument From(TrafficSnapshot traffic) => new(
        traffic.Count,
        Math.Round(traffic.PerSecond, 3),
        traffic.SuccessRate is { } rate ? Math.Round(rate, 5) : null,
        new LatencyDocument(Ms(traffic.P50), Ms(traffic.P95), Ms(traffic.P99)));

    private static double? Ms(TimeSpan? value) => value is { } v ? Math.Round(v.TotalMilliseconds, 3) : null;
}
