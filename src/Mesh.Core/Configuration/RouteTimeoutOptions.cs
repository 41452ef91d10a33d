namespace Mesh.Configuration;

/// <summary>A route's deadlines, under <c>Mesh:Services:{service}:Routes:{name}:Timeouts</c>; unset, the service's.</summary>
public sealed class RouteTimeoutOptions
{
    /// <summary>Gets or sets the time a request of the route may take in all (the service's <c>Timeouts:Total</c> when unset).</summary>
    public TimeSpan? Total { get; set; }

    /// <summary>Gets or sets the time one attempt may take (the service's <c>Timeouts:PerTry</c> when unset).</summary>
    public TimeSpan? PerTry { get; set; }
}
