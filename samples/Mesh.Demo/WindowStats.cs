namespace Mesh.Demo;

/// <summary>What one endpoint (or the caller, as a whole) saw in one window of time.</summary>
/// <param name="Name">The <c>mesh.endpoint</c> tag value, or <c>client</c> for logical requests.</param>
/// <param name="Count">Attempts (or logical requests) that ended in the window.</param>
/// <param name="Successes">Those classified <c>success</c>.</param>
/// <param name="P50Ms">Median latency in milliseconds; 0 when there were none.</param>
/// <param name="P99Ms">99th-percentile latency in milliseconds; 0 when there were none.</param>
internal sealed record WindowStats(string Name, int Count, int Successes, double P50Ms, double P99Ms)
{
    public double SuccessPercent => Count == 0 ? 0 : 100.0 * Successes / Count;

    public double PerSecond(TimeSpan window) => window <= TimeSpan.Zero ? 0 : Count / window.TotalSeconds;
}
