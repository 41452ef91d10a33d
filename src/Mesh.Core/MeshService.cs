using Mesh.Classification;
using Mesh.Configuration;
using Mesh.Discovery;
using Mesh.Endpoints;
using Mesh.FailureAccrual;
using Mesh.Internal;
using Mesh.LoadBalancing;
using Mesh.RetryBudgets;
using Mesh.Routing;
using Mesh.Stats;
using Mesh.Telemetry;

namespace Mesh;

/// <summary>
/// One logical service at run time: what it has learned, kept for the life of the service whatever configuration
/// reloads bring. Its endpoints (with their latency estimates, in-flight counts and health), the requests in flight
/// (so <c>MaxConcurrentRequests</c> holds across a reload), the retry budget's balance, the balancer, the statistics,
/// and its route values with theirs (and the latencies hedging reads). What is configured is the <see cref="Policy"/>, an immutable snapshot that
/// <see cref="Apply"/> replaces whole, the way YARP keeps a cluster's state apart from its configuration model.
/// </summary>
/// <remarks>One instance per service per host, shared by every handler that calls the service.</remarks>
internal sealed class MeshService : IEndpointSource
{
    private readonly MeshServiceDependencies _dependencies;
    private MeshServicePolicy _policy = null!;
    private ILoadBalancer _balancer = null!;
    private string _balancerName = "";
    private int _inFlight;
    private long _lastUsed;

    // The latest time any endpoint asked to be spared until: while it is past, a pick looks at no endpoint's load.
    private long _loadedUntil;
    private readonly bool _countedAsOther;

    [ThreadStatic]
    private static MeshEndpoint[]? t_unloaded;

    public MeshService(string name, string direction, MeshServiceOptions options, MeshServiceDependencies dependencies, bool isDynamic = false, string? metricName = null)
    {
        _dependencies = dependencies;
        Name = name;
        Direction = direction;
        IsDynamic = isDynamic;
        MetricName = metricName ?? name;
        _countedAsOther = !string.Equals(MetricName, name, StringComparison.Ordinal) && string.Equals(MetricName, MeshServiceRegistry.OtherService, StringComparison.Ordinal);
        Endpoints = new ServiceEndpoints(CreateEndpoint);
        Stats = new ServiceStats(dependencies.Time);
        Routes = new ServiceRoutes(dependencies.Time, groupGrpc: !isDynamic);
        var retry = options.Retry;
        Budget = new RetryBudget(retry.BudgetRatio, retry.BudgetMinPerSecond, retry.BudgetWindow, dependencies.Time);
        FailureAccrual = new FailureAccrualMechanism(name, Endpoints, options.FailureAccrual, dependencies.Time, dependencies.Random, dependencies.Telemetry, dependencies.AccrualLogger, this);
        Recorder = new ServiceRecorder(this);
        _lastUsed = dependencies.Time.GetTimestamp();
        Apply(options);
    }

    public string Name { get; }

    /// <summary>Gets the value of the <c>mesh.direction</c> tag: outbound for calls the app makes, inbound for calls to it.</summary>
    public string Direction { get; }

    /// <summary>
    /// Gets whether the service was made for a name configuration does not list (an unknown host the sidecar was
    /// allowed to forward): such services are evicted when idle, so callers cannot grow the host's state without bound.
    /// </summary>
    public bool IsDynamic { get; }

    /// <summary>
    /// Gets the <c>mesh.service</c> value of the service's metrics: its name, except for a dynamic service made after
    /// <c>Mesh:DynamicServices:MaxMetricNames</c> others have been named, which counts as <c>other</c>.
    /// </summary>
    public string MetricName { get; }

    /// <summary>Gets what adjusts the service's options each time they are made (a reload included), if anything does.</summary>
    public Action<MeshServiceOptions>? Adjust { get; init; }

    /// <summary>Gets the <c>mesh.endpoint</c> value of <paramref name="endpoint"/>'s metrics: <c>other</c> with the service.</summary>
    public string EndpointMetricName(MeshEndpoint endpoint) => _countedAsOther ? MetricName : endpoint.Name;

    /// <summary>Gets what is configured now. Read once per request: a reload applies from the next request on.</summary>
    public MeshServicePolicy Policy => Volatile.Read(ref _policy);

    public ServiceEndpoints Endpoints { get; }

    /// <summary>Gets the discovery loop that keeps <see cref="Endpoints"/> current, if the service has one.</summary>
    public EndpointDiscovery? Discovery { get; set; }

    public RetryBudget Budget { get; }

    public FailureAccrualMechanism FailureAccrual { get; }

    /// <summary>Gets the rolling statistics the stats API reads.</summary>
    public ServiceStats Stats { get; }

    /// <summary>Gets what records the service's traffic: metrics, statistics, the tap.</summary>
    public ServiceRecorder Recorder { get; }

    public MeshTelemetry Telemetry => _dependencies.Telemetry;

    public Tap.MeshTap Tap => _dependencies.Tap;

    public TimeProvider Time => _dependencies.Time;

    /// <summary>Gets the source of uniform [0, 1) draws for jitter and the traffic split; seeded in tests.</summary>
    public Func<double> Random => _dependencies.Random;

    /// <summary>Gets the host's service of a name (made on first use), for the backends of a traffic split.</summary>
    public Func<string, MeshService>? ServiceOf => _dependencies.ServiceOf;

    /// <summary>Gets the <c>mesh.route</c> values the service has used, with their statistics and hedging's latencies.</summary>
    public ServiceRoutes Routes { get; }

    /// <summary>Gets the requests in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Gets when the service last started a request, a timestamp of <see cref="Time"/>.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    string IEndpointSource.ServiceName => Name;

    long IEndpointSource.Now => Time.GetTimestamp();

    EndpointSet IEndpointSource.Endpoints => Endpoints.Current;

    /// <summary>
    /// Applies configuration: a new policy from the next request on, while everything learned stays. The retry budget
    /// keeps its balance (its ratio and reserve rate change in place); the balancer is kept unless another one is named;
    /// endpoints keep their statistics and take the new estimator and accrual settings (<see cref="ServiceEndpoints.Reconfigure"/>).
    /// </summary>
    public void Apply(MeshServiceOptions options)
    {
        var retry = options.Retry;
        Budget.Reconfigure(retry.BudgetRatio, retry.BudgetMinPerSecond, retry.BudgetWindow);
        FailureAccrual.Reconfigure(options.FailureAccrual);
        if (!string.Equals(_balancerName, options.LoadBalancer, StringComparison.OrdinalIgnoreCase))
        {
            Volatile.Write(ref _balancer, _dependencies.Balancers.Create(options.LoadBalancer));
            _balancerName = options.LoadBalancer;
        }

        // The policy first, so endpoints discovered from now on are made with it; then the endpoints already known.
        Volatile.Write(ref _policy, new MeshServicePolicy(this, options));
        Endpoints.Reconfigure(endpoint => ReconfigureEndpoint(endpoint, options));
    }

    /// <summary>
    /// Admits one more request of this service unless <c>MaxConcurrentRequests</c> are in flight already; an admitted
    /// request must be <see cref="Release"/>d. An interlocked count: Polly's ConcurrencyLimiter, with no queue, did the
    /// same behind a lock and a lease per request, and the lock showed in the sidecar's profile. The count belongs to
    /// the service, not to a policy, so a reload never admits a second limit's worth.
    /// </summary>
    public bool TryAdmit(MeshServicePolicy policy, long now)
    {
        Volatile.Write(ref _lastUsed, now);
        if (Interlocked.Increment(ref _inFlight) <= policy.Options.MaxConcurrentRequests)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    /// <summary>Ends an admitted request.</summary>
    public void Release() => Interlocked.Decrement(ref _inFlight);

    public Task EnsureResolvedAsync(CancellationToken cancellationToken)
    {
        var first = Endpoints.FirstResolution;
        return first.IsCompleted ? Task.CompletedTask : first.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Picks the endpoint for the next attempt, or null when the service has none. An ejected endpoint whose penalty
    /// has ended takes this request as its probe; otherwise the balancer picks among the ready endpoints, leaving out
    /// those that asked for less traffic (backpressure) until the time they named, unless every one did.
    /// </summary>
    public MeshEndpoint? Pick(MeshEndpoint? avoid, long now, out bool isProbe)
    {
        var set = Endpoints.Current;
        isProbe = false;
        if (FailureAccrual.TryClaimProbe(set, now) is { } probe)
        {
            isProbe = true;
            return probe;
        }

        var candidates = set.AvailableSpan;
        if (candidates.IsEmpty)
        {
            // Panic mode: with nothing available, balancing over every endpoint beats failing everything.
            candidates = set.AllSpan;
            if (candidates.IsEmpty)
            {
                return null;
            }
        }

        var balancer = Volatile.Read(ref _balancer);
        return now < Volatile.Read(ref _loadedUntil) ? PickUnloaded(balancer, candidates, avoid, now) : balancer.Pick(candidates, avoid);
    }

    // Some endpoint is loaded: the balancer sees the others, or all of them when every one is (sending to an endpoint
    // that asked for less beats failing the request). The filtered candidates go in a buffer per thread, cleared after.
    private static MeshEndpoint PickUnloaded(ILoadBalancer balancer, ReadOnlySpan<MeshEndpoint> candidates, MeshEndpoint? avoid, long now)
    {
        var buffer = t_unloaded;
        if (buffer is null || buffer.Length < candidates.Length)
        {
            t_unloaded = buffer = new MeshEndpoint[Math.Max(candidates.Length, 16)];
        }

        var count = 0;
        foreach (var endpoint in candidates)
        {
            if (!endpoint.IsLoadedAt(now))
            {
                buffer[count++] = endpoint;
            }
        }

        try
        {
            return balancer.Pick(count == 0 ? candidates : buffer.AsSpan(0, count), avoid);
        }
        finally
        {
            buffer.AsSpan(0, count).Clear();
        }
    }

    /// <summary>
    /// Learns from an attempt on one of its endpoints that ended at <paramref name="ended"/>: the endpoint's latency
    /// estimate (the balancer's input) and failure accrual. An attempt cancelled from outside teaches nothing about the
    /// endpoint. (Hedging's latencies are the route's: <see cref="RouteStats"/>.) An answer by which the endpoint asked
    /// for less traffic (<paramref name="backpressure"/> says which) marks it loaded until the time it named, and neither
    /// its latency nor its health is judged by it: false then, true when the attempt was judged.
    /// </summary>
    public bool Learn(MeshEndpoint endpoint, ResponseClassification classification, TimeSpan elapsed, long ended, bool isProbe, BackpressurePolicy backpressure, HttpResponseMessage? response)
    {
        if (response is not null && backpressure.LoadedFor(response, Time) is { } spared)
        {
            var until = ended + (long)(spared.TotalSeconds * Time.TimestampFrequency);
            endpoint.MarkLoaded(until, classification.Reason);
            Atomic.Max(ref _loadedUntil, until);
            Telemetry.RecordBackpressure(MetricName, EndpointMetricName(endpoint), (int)response.StatusCode);
            FailureAccrual.RecordBackpressure(endpoint, isProbe, until);
            return false;
        }

        if (classification.Reason != FailureReasons.Cancelled)
        {
            endpoint.Latency.Observe(elapsed, classification.IsFailure, ended);
        }

        FailureAccrual.Record(endpoint, classification, isProbe, ended);
        return true;
    }

    private MeshEndpoint CreateEndpoint(Uri address)
    {
        var options = Volatile.Read(ref _policy)?.Options ?? throw new InvalidOperationException("Mesh: the service has no policy yet.");
        var ewma = options.PeakEwma;
        var accrual = options.FailureAccrual;
        return new MeshEndpoint(
            address,
            new PeakEwma(Time, ewma.DecayTime, ewma.DefaultRtt, ewma.FailurePenalty),
            new EndpointHealth(_dependencies.AccrualPolicies.Create(accrual, Time), accrual.Policy),
            new TrafficStats(Time));
    }

    // PeakEwma and the built-in accrual policy take new settings in place, keeping their history; a policy of another
    // name replaces the one in place. A custom policy keeps the options it was made with.
    private void ReconfigureEndpoint(MeshEndpoint endpoint, MeshServiceOptions options)
    {
        var ewma = options.PeakEwma;
        var accrual = options.FailureAccrual;
        endpoint.Latency.Reconfigure(ewma.DecayTime, ewma.FailurePenalty);
        var health = endpoint.Health;
        if (!string.Equals(health.PolicyName, accrual.Policy, StringComparison.OrdinalIgnoreCase))
        {
            health.ReplacePolicy(_dependencies.AccrualPolicies.Create(accrual, Time), accrual.Policy);
        }
        else if (health.Policy is ConsecutiveFailuresOrSuccessRatePolicy builtIn)
        {
            builtIn.Reconfigure(accrual);
        }
    }
}
