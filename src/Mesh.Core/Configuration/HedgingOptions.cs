namespace Mesh.Configuration;

/// <summary>Hedged requests (opt-in), under <c>Mesh:Services:{service}:Hedging</c>.</summary>
public sealed class HedgingOptions
{
    /// <summary>Gets or sets whether idempotent requests are hedged. Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the latency percentile of recent attempts after which a second attempt is sent, in (0, 1]. Default: 0.95.</summary>
    public double Percentile { get; set; } = 0.95;

    /// <summary>Gets or sets the shortest hedging delay, used too until enough latencies are known. Default: 10 ms.</summary>
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromMilliseconds(10);
}
