using Mesh.Classification;
using Mesh.Configuration;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.Routing;
using Mesh.Timeouts;
using Mesh.TrafficSplit;
using Polly;

namespace Mesh;

/// <summary>
/// What is configured for one service, as one immutable snapshot: its options, the classifier built from them, the Polly
/// pipelines, its traffic split, and its routes, each of which holds a policy of this same kind (the service's with the
/// route's overrides).
/// A reload builds a new policy and swaps it in whole (<see cref="MeshService.Apply"/>); a request reads the policy once
/// as it starts, picks its route's, and keeps that to its end, so it never sees half of one configuration and half of
/// another. What the service has learned lives in <see cref="MeshService"/> and is kept.
/// </summary>
internal sealed class MeshServicePolicy
{
    /// <summary>The service's own policy, with its routes compiled.</summary>
    public MeshServicePolicy(MeshService service, MeshServiceOptions options)
        : this(service, options, ResponseClasses.From(options.Classification, ResponseClasses.Default, $"{KeyOf(service)}:Classification"), idempotent: null, BackendSplit.From(options.Backends, service, service.ServiceOf))
    {
        if (options.Routes.Count > 0)
        {
            var routes = new List<MeshRoute>(options.Routes.Count);
            foreach (var (name, route) in options.Routes)
            {
                routes.Add(RouteOf(service, name, route));
            }

            Routes = new RouteTable(routes);
        }
    }

    // A route's policy: the service's options with the route's in their place, its classes, its word on idempotency.
    private MeshServicePolicy(MeshService service, MeshServiceOptions options, ResponseClasses classes, bool? idempotent, BackendSplit? split)
    {
        Options = options;
        Split = split;
        Classes = classes;
        Classifier = new ResponseClassifier(options.Retry.RetryNonIdempotent, classes, idempotent);
        Backpressure = new BackpressurePolicy(options.Backpressure);
        TotalTimeout = (long)(options.Timeouts.Total.TotalSeconds * service.Time.TimestampFrequency);
        PerTryHeader = DeadlineHeaders.FormatMeshTimeout(options.Timeouts.PerTry);
        Attempts = MeshPipeline.BuildAttempts(service, this);
        Retries = options.Retry.MaxRetries > 0 ? MeshPipeline.BuildRetries(service, this) : null;
    }

    public MeshServiceOptions Options { get; }

    public ResponseClassifier Classifier { get; }

    /// <summary>Gets which answers ask their endpoint to be spared, and for how long.</summary>
    public BackpressurePolicy Backpressure { get; }

    /// <summary>Gets steps 7–9 of <see cref="MeshPipeline"/> (hedging, endpoint selection, attempt timeout): one attempt, or one hedged attempt.</summary>
    public ResiliencePipeline<HttpResponseMessage> Attempts { get; }

    /// <summary>Gets step 6 of <see cref="MeshPipeline"/>, the retries around <see cref="Attempts"/>; null when the policy makes none.</summary>
    public ResiliencePipeline<HttpResponseMessage>? Retries { get; }

    /// <summary>Gets the weighted backends each attempt picks from, or null: the service's own endpoints.</summary>
    public BackendSplit? Split { get; }

    /// <summary>Gets the service's routes in the order they are tried; empty for a route's own policy.</summary>
    public RouteTable Routes { get; } = RouteTable.Empty;

    /// <summary>Gets <c>Timeouts:Total</c> in timestamp units of the service's clock.</summary>
    public long TotalTimeout { get; }

    /// <summary>
    /// Gets the <c>mesh-timeout-ms</c> value of an attempt with its whole per-try timeout ahead of it, formatted once:
    /// most attempts have.
    /// </summary>
    public string PerTryHeader { get; }

    // The classes this policy's classifier reads, which its routes start from.
    private ResponseClasses Classes { get; }

    private MeshRoute RouteOf(MeshService service, string name, RouteOptions route)
    {
        var key = $"{KeyOf(service)}:Routes:{name}";
        var policy = new MeshServicePolicy(
            service,
            RouteOptionsMerge.Merge(Options, route),
            ResponseClasses.From(route.Classification, Classes, $"{key}:Classification"),
            route.Idempotent,
            route.Backends.Count > 0 ? BackendSplit.From(route.Backends, service, service.ServiceOf) : Split);
        return new MeshRoute(name, route.Order, RouteMatcher.Compile(route.Match, $"{key}:Match"), policy, service.Routes.Configured(name));
    }

    private static string KeyOf(MeshService service) => $"{MeshServiceOptions.SectionName}:{service.Name}";
}
