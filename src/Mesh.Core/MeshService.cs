using Mesh.Classification;
using Mesh.Configuration;
using Mesh.Endpoints;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.RetryBudgets;
using Mesh.Stats;
using Mesh.Tap;
using Mesh.Telemetry;
using Microsoft.Extensions.Logging;
using Polly;

namespace Mesh;

/// <summary>
/// The runtime state of calls to one logical service: its endpoints, balancer, classifier, retry budget, failure
/// accrual and pipeline. One instance per service per host, shared by every handler that calls the service, so
/// statistics survive <c>IHttpClientFactory</c> handler rotation.
/// </summary>
internal sealed class MeshService : IEndpointSource
{
    private int _inFlight;

    public MeshService(string name, string direction, MeshServiceOptions options, ServiceEndpoints endpoints, ServiceStats stats, MeshTap tap, ILoadBalancer balancer, MeshTelemetry telemetry, TimeProvider time, Func<double> random, ILogger logger)
    {
        Stats = stats;
        Tap = tap;
        Name = name;
        Direction = direction;
        Options = options;
        Balancer = balancer;
        Time = time;
        Random = random;
        Telemetry = telemetry;
        Endpoints = endpoints;
        Classifier = new ResponseClassifier(options.Retry.RetryNonIdempotent);
        Budget = new RetryBudget(options.Retry.BudgetRatio, options.Retry.BudgetMinPerSecond, options.Retry.BudgetWindow, time);
        FailureAccrual = new FailureAccrualMechanism(name, Endpoints, options.FailureAccrual, time, random, telemetry, logger);
        RecentLatencies = options.Hedging.Enabled ? new LatencyHistogram(time) : null;
        Pipeline = MeshPipeline.Build(this);
    }

    /// <summary>Creates the endpoint set a service's discovery publishes into, with the estimator and policy each new endpoint gets.</summary>
    public static ServiceEndpoints CreateEndpoints(MeshServiceOptions options, FailureAccrualPolicyRegistry policies, TimeProvider time) =>
        new(EndpointFactory(options, policies, time));

    /// <summary>
    /// Applies reloaded endpoint-level settings to the endpoints a service has, keeping their statistics, and to those
    /// it will discover: <c>PeakEwma</c>; the built-in failure accrual policy's thresholds (with the failures counted so
    /// far); a policy of another name replaces the one in place. A custom policy keeps the options it was made with.
    /// </summary>
    public static void ReconfigureEndpoints(ServiceEndpoints endpoints, MeshServiceOptions options, FailureAccrualPolicyRegistry policies, TimeProvider time)
    {
        var ewma = options.PeakEwma;
        var accrual = options.FailureAccrual;
        endpoints.Reconfigure(EndpointFactory(options, policies, time), endpoint =>
        {
            endpoint.Latency.Reconfigure(ewma.DecayTime, ewma.FailurePenalty);
            var health = endpoint.Health;
            if (!string.Equals(health.PolicyName, accrual.Policy, StringComparison.OrdinalIgnoreCase))
            {
                health.ReplacePolicy(policies.Create(accrual, time), accrual.Policy);
            }
            else if (health.Policy is ConsecutiveFailuresOrSuccessRatePolicy builtIn)
            {
                builtIn.Reconfigure(accrual);
            }
        });
    }

    private static Func<Uri, MeshEndpoint> EndpointFactory(MeshServiceOptions options, FailureAccrualPolicyRegistry policies, TimeProvider time)
    {
        var ewma = options.PeakEwma;
        var accrual = options.FailureAccrual;
        return address => new MeshEndpoint(
            address,
            new PeakEwma(time, ewma.DecayTime, ewma.DefaultRtt, ewma.FailurePenalty),
            new EndpointHealth(policies.Create(accrual, time), accrual.Policy),
            new TrafficStats(time));
    }

    public string Name { get; }

    /// <summary>Gets the value of the <c>mesh.direction</c> tag: outbound for calls the app makes, inbound for calls to it.</summary>
    public string Direction { get; }

    public MeshServiceOptions Options { get; }

    public ILoadBalancer Balancer { get; }

    public ResponseClassifier Classifier { get; }

    public RetryBudget Budget { get; }

    public FailureAccrualMechanism FailureAccrual { get; }

    public MeshTelemetry Telemetry { get; }

    public TimeProvider Time { get; }

    /// <summary>Gets the source of uniform [0, 1) draws for jitter; seeded in tests.</summary>
    public Func<double> Random { get; }

    public ServiceEndpoints Endpoints { get; }

    /// <summary>Gets the rolling statistics the stats API reads.</summary>
    public ServiceStats Stats { get; }

    /// <summary>Gets the live tap.</summary>
    public MeshTap Tap { get; }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    /// <summary>Gets recent attempt latencies, kept only when hedging needs them.</summary>
    public LatencyHistogram? RecentLatencies { get; }

    string IEndpointSource.ServiceName => Name;

    EndpointSet IEndpointSource.Endpoints => Endpoints.Current;

    /// <summary>
    /// Admits one more request of this service unless <c>MaxConcurrentRequests</c> are in flight already; an admitted
    /// request must be <see cref="Release"/>d. An interlocked count: Polly's ConcurrencyLimiter, with no queue, did the
    /// same behind a lock and a lease per request, and the lock showed in the sidecar's profile.
    /// </summary>
    public bool TryAdmit()
    {
        if (Interlocked.Increment(ref _inFlight) <= Options.MaxConcurrentRequests)
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
    /// has ended takes this request as its probe; otherwise the balancer picks among the ready endpoints.
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

        return Balancer.Pick(candidates, avoid);
    }

    /// <summary>Records an attempt that ended at <paramref name="ended"/>, a timestamp of <see cref="Time"/>.</summary>
    public void OnAttemptCompleted(MeshRequest request, MeshEndpoint endpoint, Outcome<HttpResponseMessage> outcome, ResponseClassification classification, TimeSpan elapsed, long ended)
    {
        if (classification.Reason != FailureReasons.Cancelled)
        {
            endpoint.Latency.Observe(elapsed, classification.IsFailure, ended);
            RecentLatencies?.RecordAt(elapsed, ended);
            endpoint.Traffic?.RecordAt(classification.IsFailure, elapsed, ended);
            Stats.Attempts.RecordAt(classification.IsFailure, elapsed, ended);
        }

        if (request.TapAttempts is { } tapAttempts)
        {
            // A hedge shares the list with the attempt it races.
            lock (tapAttempts)
            {
                tapAttempts.Add(new TapAttempt(endpoint.Name, classification.Reason, StatusOrNull(outcome), elapsed.TotalMilliseconds));
            }
        }

        FailureAccrual.Record(endpoint, classification, request.IsProbe);
        var tags = new RequestTags(Direction, Name, request.Message.Method.Method, StatusOf(outcome), !classification.IsFailure, ErrorTypeOf(outcome, classification));
        Telemetry.RecordAttempt(in tags, endpoint, elapsed);
    }

    /// <summary>Records a logical request that ended at <paramref name="ended"/>, a timestamp of <see cref="Time"/>.</summary>
    public void OnRequestCompleted(MeshRequest request, Outcome<HttpResponseMessage> outcome, long ended)
    {
        var elapsed = Time.GetElapsedTime(request.Started, ended);
        var classification = request.LastClassification;
        // No attempt was made, or the total deadline ended the request: the request's own exception says why.
        if (outcome.Exception is { } exception && (request.Attempts == 0 || exception is Polly.Timeout.TimeoutRejectedException))
        {
            classification = Classifier.Classify(request.Message, exception, request.CallerToken.IsCancellationRequested);
        }

        var tags = new RequestTags(Direction, Name, request.Message.Method.Method, StatusOf(outcome), !classification.IsFailure, ErrorTypeOf(outcome, classification));
        Telemetry.RecordRequest(in tags, elapsed);
        Stats.Requests.RecordAt(classification.IsFailure, elapsed, ended);
        if (Tap.IsActive)
        {
            Tap.Publish(TapEventOf(request, outcome, classification, elapsed));
        }
    }

    private TapEvent TapEventOf(MeshRequest request, Outcome<HttpResponseMessage> outcome, ResponseClassification classification, TimeSpan elapsed)
    {
        var target = request.OriginalUri;
        var traceId = request.Activity?.TraceId.ToHexString() ?? TraceContext.TraceIdOf(request.Message.Headers);
        return new TapEvent(
            Time.GetUtcNow(),
            Direction,
            Name,
            request.Message.Method.Method,
            target.Authority,
            target.AbsolutePath,
            StatusOrNull(outcome),
            elapsed.TotalMilliseconds,
            classification.IsFailure ? "failure" : "success",
            outcome.Result is not null ? request.LastEndpoint?.Name : null,
            request.TapAttempts ?? [],
            request.TapRetries ?? [],
            request.RetrySkipped,
            traceId);
    }

    private static int? StatusOrNull(Outcome<HttpResponseMessage> outcome) => outcome.Result is { } response ? (int)response.StatusCode : null;

    /// <summary>Gets this service's statistics over <paramref name="window"/>.</summary>
    public ServiceSnapshot Snapshot(TimeSpan window)
    {
        var endpoints = new List<EndpointSnapshot>();
        foreach (var endpoint in Endpoints.Current.All)
        {
            endpoints.Add(new EndpointSnapshot(
                endpoint.Name,
                endpoint.State.ToTagValue(),
                endpoint.State == EndpointState.Ready ? null : endpoint.Health.EjectionReason,
                endpoint.InFlight,
                TimeSpan.FromMilliseconds(endpoint.Latency.EstimateMs),
                endpoint.Traffic?.Snapshot(window) ?? new TrafficSnapshot(0, 0, null, null, null, null)));
        }

        return new ServiceSnapshot(Name, Direction, Stats.Requests.Snapshot(window), Stats.Attempts.Snapshot(window), Stats.RetriesPerSecond(window), Budget.Remaining, endpoints);
    }

    private static int StatusOf(Outcome<HttpResponseMessage> outcome) => outcome.Result is { } response ? (int)response.StatusCode : 0;

    private static string? ErrorTypeOf(Outcome<HttpResponseMessage> outcome, ResponseClassification classification) =>
        outcome.Exception is null ? null : classification.Reason;
}
