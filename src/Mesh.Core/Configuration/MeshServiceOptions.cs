using Mesh.LoadBalancing;

namespace Mesh.Configuration;

/// <summary>
/// The policy for calls to one service, bound from <c>Mesh:Services:{service}</c>. Every value has a
/// default, so a service with no configuration at all is already balanced and measured.
/// </summary>
public sealed class MeshServiceOptions
{
    /// <summary>The configuration section that holds one <see cref="MeshServiceOptions"/> per service.</summary>
    public const string SectionName = "Mesh:Services";

    /// <summary>
    /// Gets or sets the load balancer: <c>PeakEwma</c> (default), <c>LeastInFlight</c>, <c>RoundRobin</c>,
    /// or the name of one registered with <c>AddMeshLoadBalancer</c>.
    /// </summary>
    public string LoadBalancer { get; set; } = LoadBalancerNames.PeakEwma;

    /// <summary>
    /// Gets or sets the most requests to the service in flight at once from this host; more are refused at once
    /// (load shedding: a 503 from the sidecar, <c>RateLimiterRejectedException</c> in-process) rather than queued.
    /// Default: 1000. It also bounds the connections an HTTP/1.1 service gets.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 1000;

    /// <summary>Gets or sets the peak-EWMA latency estimator's settings.</summary>
    public PeakEwmaOptions PeakEwma { get; set; } = new();

    /// <summary>Gets or sets the retry policy and its budget.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the total and per-try timeouts.</summary>
    public TimeoutOptions Timeouts { get; set; } = new();

    /// <summary>Gets or sets the connections to the service's endpoints.</summary>
    public UpstreamOptions Upstream { get; set; } = new();

    /// <summary>Gets or sets per-endpoint failure accrual.</summary>
    public FailureAccrualOptions FailureAccrual { get; set; } = new();

    /// <summary>Gets or sets hedging (off by default).</summary>
    public HedgingOptions Hedging { get; set; } = new();

    /// <summary>
    /// Gets or sets the sidecar only: the addresses (<c>ip:port</c>) that stand for this service, such as a virtual IP
    /// in front of it. A connection the sidecar intercepts whose original destination is one of them, or one of the
    /// service's endpoints, belongs to the service: HTTP gets its policies, opaque TCP is balanced over its endpoints.
    /// Default: none. In-process clients ignore it.
    /// </summary>
    public List<string> Addresses { get; set; } = [];
}
