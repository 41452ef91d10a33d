namespace Mesh.Configuration;

/// <summary>
/// Bounds on the services Mesh makes for names configuration does not list (with
/// <c>Mesh:Proxy:Outbound:AllowUnknownHosts</c>, a service per host a caller names), under <c>Mesh:DynamicServices</c>.
/// Each such service holds endpoints, statistics, a discovery loop and a route; an idle one is evicted, so callers
/// naming ever new hosts cannot grow the host's memory without bound. A service requested again is made afresh.
/// </summary>
public sealed class DynamicServicesOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Mesh:DynamicServices";

    /// <summary>
    /// Gets or sets how long a dynamic service may go without a request (and with none in flight) before it is evicted.
    /// Default: 1 minute, the longest window <c>/stats</c> shows, so an idle service's statistics stay visible while
    /// they cover anything.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets the most dynamic services kept at once; making one more evicts the one used least recently.
    /// Default: 1000.
    /// </summary>
    public int MaxServices { get; set; } = 1000;

    /// <summary>
    /// Gets or sets how many dynamic services metrics name (<c>mesh.service</c>) over the host's life; the requests of
    /// those made after them are counted as <c>mesh.service="other"</c>. OpenTelemetry keeps every series it has seen for
    /// the life of the process (it cannot forget a cumulative series), so evicting a service cannot drop its series: this
    /// bounds them instead. Default: 1000.
    /// </summary>
    public int MaxMetricNames { get; set; } = 1000;
}
