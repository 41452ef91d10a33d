using Mesh.Configuration;
using Mesh.Pipeline;
using Polly.Hedging;

namespace Mesh.Hedging;

/// <summary>
/// Opt-in hedging on Polly's hedging strategy: when an idempotent request without a streamed body has not answered
/// within the observed latency percentile of its route (p95 by default), one more attempt goes to another endpoint and the first
/// answer wins; the other is cancelled. Each hedge takes a token from the service's retry budget, so hedging can
/// add no more load than retries can. Failures are left to the retry layer.
/// </summary>
internal static class MeshHedging
{
    public static HedgingStrategyOptions<HttpResponseMessage> CreateOptions(MeshService service, MeshServicePolicy policy) => new()
    {
        Name = "MeshHedging",
        MaxHedgedAttempts = 1,
        ShouldHandle = static _ => new ValueTask<bool>(false),
        DelayGenerator = args => new ValueTask<TimeSpan>(Delay(policy.Options.Hedging, args.Context.Properties.GetValue(MeshRequest.Key, null!))),
        ActionGenerator = args =>
        {
            var primary = args.PrimaryContext.Properties.GetValue(MeshRequest.Key, null!);
            if (!primary.Idempotent || primary.NoRetry || primary.CloneForHedge() is not { } hedge)
            {
                return null;
            }

            if (!service.Budget.TryWithdraw())
            {
                service.Telemetry.RecordBudgetExhausted(service.MetricName);
                return null;
            }

            service.Telemetry.RecordRetry(service.MetricName, "hedge", primary.Route.Name);
            service.Stats.RecordRetry("hedge");
            primary.Route.RecordRetry();
            primary.TapRetries?.Add("hedge");
            args.ActionContext.Properties.Set(MeshRequest.Key, hedge);
            return () => args.Callback(args.ActionContext);
        },
    };

    /// <summary>
    /// Gets how long <paramref name="request"/> waits before its hedge: the route's latency percentile (as computed at
    /// most a second ago), not below <see cref="HedgingOptions.MinDelay"/>, which stands alone until the route has 20
    /// latencies in the last 10 seconds; infinite when that is not before the deadline.
    /// </summary>
    internal static TimeSpan Delay(HedgingOptions options, MeshRequest request)
    {
        // The route's own latencies: a slow report and a fast lookup of one service do not share a percentile.
        var now = request.Time.GetTimestamp();
        var observed = request.Route.Hedging?.PercentileAt(options.Percentile, now) ?? options.MinDelay;
        var delay = observed > options.MinDelay ? observed : options.MinDelay;

        // A hedge that could not finish before the deadline is only load: wait past the deadline instead.
        var left = request.RemainingAt(now);
        return delay < left ? delay : Timeout.InfiniteTimeSpan;
    }
}
