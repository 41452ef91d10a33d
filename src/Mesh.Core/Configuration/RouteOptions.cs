namespace Mesh.Configuration;

/// <summary>
/// One route of a service, under <c>Mesh:Services:{service}:Routes:{name}</c>: the requests it matches, and what of the
/// service's policy it changes for them. Routes are tried in ascending <see cref="Order"/>, then by name; the first that
/// matches wins, and a request no route matches runs under the service's own policy. The route's name is its
/// <c>mesh.route</c> value in metrics, statistics and the tap.
/// </summary>
/// <remarks>
/// The order is stated rather than taken from the file: .NET configuration hands a section's keys over sorted, not in
/// the order a JSON file lists them, so "first in the file" would not survive binding.
/// </remarks>
public sealed class RouteOptions
{
    /// <summary>Gets or sets where the route stands among the service's routes: lower first; equal orders go by name. Default: 0.</summary>
    public int Order { get; set; }

    /// <summary>Gets or sets the requests the route matches; with no condition, every request.</summary>
    public RouteMatchOptions Match { get; set; } = new();

    /// <summary>
    /// Gets or sets whether the route's requests may be sent again after they may have reached the service: <c>true</c>
    /// makes every one idempotent (a POST route retried and hedged like a GET), <c>false</c> none (unless it carries an
    /// <c>Idempotency-Key</c>); unset, the method decides, as for the service.
    /// </summary>
    public bool? Idempotent { get; set; }

    /// <summary>Gets or sets the route's timeouts; each unset one is the service's.</summary>
    public RouteTimeoutOptions Timeouts { get; set; } = new();

    /// <summary>Gets or sets the route's retries; each unset value is the service's. The retry budget is the service's.</summary>
    public RouteRetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the route's hedging; each unset value is the service's.</summary>
    public RouteHedgingOptions Hedging { get; set; } = new();

    /// <summary>Gets or sets the route's classification; each unset list is the service's.</summary>
    public ClassificationOptions Classification { get; set; } = new();

    /// <summary>
    /// Gets or sets the route's own traffic split, in place of the service's (a canary route matching
    /// <c>x-canary: 1</c> with <c>Backends: { orders-v2: 1 }</c>). Default: none, the service's split if it has one.
    /// </summary>
    public Dictionary<string, int> Backends { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
