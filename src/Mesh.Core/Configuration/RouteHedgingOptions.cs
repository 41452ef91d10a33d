namespace Mesh.Configuration;

/// <summary>A route's hedging, under <c>Mesh:Services:{service}:Routes:{name}:Hedging</c>; each unset value is the service's.</summary>
public sealed class RouteHedgingOptions
{
    /// <summary>Gets or sets whether the route's idempotent requests are hedged.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Gets or sets the percentile of the route's recent attempt latencies after which the hedge is sent.</summary>
    public double? Percentile { get; set; }

    /// <summary>Gets or sets the shortest hedging delay.</summary>
    public TimeSpan? MinDelay { get; set; }
}
