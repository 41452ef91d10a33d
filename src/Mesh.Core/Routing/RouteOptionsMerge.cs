using Mesh.Configuration;

namespace Mesh.Routing;

/// <summary>
/// A route's effective options: its service's, with what the route sets in their place. What a route cannot change
/// (the balancer, the limit of requests in flight, the retry budget, failure accrual, backpressure, connections) stays the service's,
/// shared by reference; the sections a route may change are copied.
/// </summary>
internal static class RouteOptionsMerge
{
    public static MeshServiceOptions Merge(MeshServiceOptions service, RouteOptions route)
    {
        var retry = service.Retry;
        var timeouts = service.Timeouts;
        var hedging = service.Hedging;
        return new MeshServiceOptions
        {
            LoadBalancer = service.LoadBalancer,
            MaxConcurrentRequests = service.MaxConcurrentRequests,
            MaxRouteValues = service.MaxRouteValues,
            PeakEwma = service.PeakEwma,
            Upstream = service.Upstream,
            FailureAccrual = service.FailureAccrual,
            Backpressure = service.Backpressure,
            Classification = service.Classification,
            Retry = new RetryOptions
            {
                MaxRetries = route.Retry.MaxRetries ?? retry.MaxRetries,
                BudgetRatio = retry.BudgetRatio,
                BudgetMinPerSecond = retry.BudgetMinPerSecond,
                BudgetWindow = retry.BudgetWindow,
                BaseDelay = route.Retry.BaseDelay ?? retry.BaseDelay,
                MaxDelay = route.Retry.MaxDelay ?? retry.MaxDelay,
                MaxRetryAfter = route.Retry.MaxRetryAfter ?? retry.MaxRetryAfter,
                MaxReplayBodyBytes = route.Retry.MaxReplayBodyBytes ?? retry.MaxReplayBodyBytes,
                RetryNonIdempotent = retry.RetryNonIdempotent,
            },
            Timeouts = new TimeoutOptions
            {
                Total = route.Timeouts.Total ?? timeouts.Total,
                PerTry = route.Timeouts.PerTry ?? timeouts.PerTry,
            },
            Hedging = new HedgingOptions
            {
                Enabled = route.Hedging.Enabled ?? hedging.Enabled,
                Percentile = route.Hedging.Percentile ?? hedging.Percentile,
                MinDelay = route.Hedging.MinDelay ?? hedging.MinDelay,
            },
        };
    }
}
