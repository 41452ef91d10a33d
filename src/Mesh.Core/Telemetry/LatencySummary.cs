namespace Mesh.Telemetry;

/// <summary>How many latencies a <see cref="LatencyHistogram"/> holds over a window, and their percentiles (null without samples).</summary>
internal readonly record struct LatencySummary(long Count, TimeSpan? P50, TimeSpan? P95, TimeSpan? P99);
