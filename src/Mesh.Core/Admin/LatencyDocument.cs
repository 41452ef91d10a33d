namespace Mesh.Admin;

/// <summary>Latency percentiles in milliseconds, 3 decimals; each null when there was no traffic.</summary>
/// <param name="P50">The median.</param>
/// <param name="P95">The 95th percentile.</param>
/// <param name="P99">The 99th percentile.</param>
public sealed record LatencyDocument(double? P50, double? P95, double? P99);
