namespace Mesh.Configuration;

/// <summary>Settings of the peak-EWMA latency estimate that the <c>PeakEwma</c> balancer compares.</summary>
public sealed class PeakEwmaOptions
{
    /// <summary>Gets or sets the time constant τ of the moving average. Default: 10 s (Finagle and Linkerd use the same).</summary>
    public TimeSpan DecayTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the round-trip time assumed for an endpoint with no history. Default: 30 ms (Linkerd's default).</summary>
    public TimeSpan DefaultRtt { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>
    /// Gets or sets the least round-trip time a failed attempt is recorded as, so that an endpoint failing fast
    /// does not look fast. Default: 100 ms.
    /// </summary>
    public TimeSpan FailurePenalty { get; set; } = TimeSpan.FromMilliseconds(100);
}
