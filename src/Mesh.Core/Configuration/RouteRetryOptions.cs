namespace Mesh.Configuration;

/// <summary>
/// A route's retries, under <c>Mesh:Services:{service}:Routes:{name}:Retry</c>; each unset value is the service's. The
/// budget (<c>BudgetRatio</c>, <c>BudgetMinPerSecond</c>, <c>BudgetWindow</c>) is the service's alone: every route draws
/// on the one budget.
/// </summary>
public sealed class RouteRetryOptions
{
    /// <summary>Gets or sets the most retries of one request; 0 turns the route's retries off.</summary>
    public int? MaxRetries { get; set; }

    /// <summary>Gets or sets the first backoff ceiling.</summary>
    public TimeSpan? BaseDelay { get; set; }

    /// <summary>Gets or sets the largest backoff ceiling.</summary>
    public TimeSpan? MaxDelay { get; set; }

    /// <summary>Gets or sets the longest <c>Retry-After</c> honoured.</summary>
    public TimeSpan? MaxRetryAfter { get; set; }

    /// <summary>Gets or sets the largest request body buffered for replay, in bytes.</summary>
    public int? MaxReplayBodyBytes { get; set; }
}
