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

    /// <summary>Gets or sets which statuses count as failures and which are retried (Mesh's documented rules by default).</summary>
    public ClassificationOptions Classification { get; set; } = new();

    /// <summary>
    /// Gets or sets the service's routes by name (<c>Mesh:Services:{service}:Routes:{name}</c>): the first that matches a
    /// request, in <see cref="RouteOptions.Order"/>, sets its policy and its <c>mesh.route</c>. Default: none.
    /// </summary>
    public Dictionary<string, RouteOptions> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets how many <c>mesh.route</c> values the service names from requests no route matches (gRPC method
    /// paths, <c>/pkg.Service/Method</c>) over its life; the requests of later ones count as <c>other</c>. Route names and
    /// <c>default</c> always have their own value. Default: 100.
    /// </summary>
    public int MaxRouteValues { get; set; } = 100;

    /// <summary>
    /// Gets or sets a traffic split: backend services by name with their weights (<c>orders-v1: 90, orders-v2: 10</c>),
    /// each with its own endpoints, health and balancer; every attempt goes to one of them with the probability of its
    /// share (a backend named as this service is its own endpoints). Default: none, the service's own endpoints.
    /// </summary>
    public Dictionary<string, int> Backends { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how an endpoint's 429, or 503 with <c>Retry-After</c>, is honoured.</summary>
    public BackpressureOptions Backpressure { get; set; } = new();

    /// <summary>
    /// Gets or sets the identity the service's endpoints must prove (sidecar only; the in-process client does not use
    /// it): a SPIFFE ID such as <c>spiffe://example.org/ns/shop/sa/orders</c> or a pattern of one with <c>*</c>; the
    /// sidecar then calls them over mutual TLS with its own certificate and refuses an endpoint whose certificate proves
    /// another (<c>identity_mismatch</c>). <c>none</c> calls them in plaintext even when
    /// <c>Mesh:Identity:DefaultServiceIdentity</c> is set. Default: unset, which takes that default (none: plaintext).
    /// </summary>
    public string? Identity { get; set; }

    /// <summary>
    /// Gets or sets the sidecar only: the addresses (<c>ip:port</c>) that stand for this service, such as a virtual IP
    /// in front of it. A connection the sidecar intercepts whose original destination is one of them, or one of the
    /// service's endpoints, belongs to the service: HTTP gets its policies, opaque TCP is balanced over its endpoints.
    /// Default: none. In-process clients ignore it.
    /// </summary>
    public List<string> Addresses { get; set; } = [];
}
