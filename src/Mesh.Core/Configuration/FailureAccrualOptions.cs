using Mesh.FailureAccrual;

namespace Mesh.Configuration;

/// <summary>Per-endpoint failure accrual (circuit breaking), under <c>Mesh:Services:{service}:FailureAccrual</c>.</summary>
public sealed class FailureAccrualOptions
{
    /// <summary>Gets or sets whether endpoints are ejected at all. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the policy that decides when an endpoint is dead: <c>ConsecutiveFailuresOrSuccessRate</c> (the
    /// thresholds below), or a name registered with <c>AddMeshFailureAccrualPolicy</c>. Case-insensitive.
    /// </summary>
    public string Policy { get; set; } = FailureAccrualPolicyRegistry.ConsecutiveFailuresOrSuccessRate;

    /// <summary>Gets or sets the consecutive failures that eject an endpoint. Default: 5 (Finagle's and Envoy's).</summary>
    public int ConsecutiveFailures { get; set; } = 5;

    /// <summary>Gets or sets the success rate below which an endpoint is ejected, in [0, 1]. Default: 0.8.</summary>
    public double MinSuccessRate { get; set; } = 0.8;

    /// <summary>Gets or sets the window the success rate is measured over. Default: 10 s.</summary>
    public TimeSpan SuccessRateWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the requests an endpoint must have had in the window before its success rate counts. Default: 10.</summary>
    public int SuccessRateMinRequests { get; set; } = 10;

    /// <summary>Gets or sets the first ejection's penalty; it doubles with each ejection in a row. Default: 1 s.</summary>
    public TimeSpan BaseEjectionTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest penalty. Default: 60 s.</summary>
    public TimeSpan MaxEjectionTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the most endpoints that may be ejected at once, as a percentage of all. Default: 50.</summary>
    public int MaxEjectionPercent { get; set; } = 50;
}
