using System.Diagnostics.CodeAnalysis;
using Mesh.Hedging;
using Mesh.Retries;
using Polly;
using Polly.Timeout;

namespace Mesh.Pipeline;

/// <summary>
/// The request path, assembled in one place, outermost layer first. Each line says why the layer sits where it
/// does. Around it, <see cref="MeshHttpHandler"/> records the caller's golden metrics, deposits into the retry
/// budget, fixes the deadline and prepares the body for replay; inside it, the handler's send stamps the
/// remaining deadline on the outgoing request.
/// </summary>
internal static class MeshPipeline
{
    // A timeout generator returning zero would mean "no timeout" to Polly; an expired deadline must mean "now".
    private static readonly TimeSpan Now = TimeSpan.FromMilliseconds(1);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Polly validates strategy options with data annotations; the options of Mesh's own strategies carry none beyond Polly's own Name.")]
    public static ResiliencePipeline<HttpResponseMessage> Build(MeshService service)
    {
        var options = service.Options;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = service.Time, Name = service.Name };

        // 0. Concurrency limit, outermost: when too many requests are in flight the next is refused at once, before it
        //    costs a deadline, a retry token or a connection (load shedding, not queueing). A counter, not Polly's
        //    ConcurrencyLimiter: with no queue that is all it needs, and the limiter's lock showed in the sidecar's profile.
        builder.AddStrategy(_ => new ConcurrencyLimitStrategy(options.MaxConcurrentRequests), new StrategyOptions("ConcurrencyLimit"));

        // 1. Total timeout: it bounds everything below, retries and backoff included, and cancels the
        //    attempt in flight (the endpoint sees the connection or stream aborted).
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "TotalTimeout",
            TimeoutGenerator = static args => new ValueTask<TimeSpan>(RemainingAtStart(args.Context)),
        });

        // 2. Retries, inside the deadline so no attempt starts after it, outside endpoint selection so each retry
        //    picks a fresh endpoint. Each retry must pass the classifier, the body and the retry budget.
        if (options.Retry.MaxRetries > 0)
        {
            builder.AddRetry(MeshRetry.CreateOptions(service));
        }

        // 3. Hedging (opt-in), inside retries so a hedged request that still fails may be retried, outside endpoint
        //    selection so the hedge picks its own endpoint.
        if (options.Hedging.Enabled)
        {
            builder.AddHedging(MeshHedging.CreateOptions(service));
        }

        // 4. Endpoint selection: one attempt on one endpoint, recording its outcome for the balancer and failure accrual.
        builder.AddStrategy(_ => new EndpointSelectionStrategy(service), new StrategyOptions("EndpointSelection"));

        // 5. Per-try timeout, innermost, so the endpoint that hung is charged with the timeout; capped by what is
        //    left of the total.
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "PerTryTimeout",
            TimeoutGenerator = args => new ValueTask<TimeSpan>(Min(options.Timeouts.PerTry, RemainingAtAttemptStart(args.Context))),
        });

        return builder.Build();
    }

    // The generators run as the request and each attempt start: the clock read made then is current enough.
    private static TimeSpan RemainingAtStart(ResilienceContext context)
    {
        var request = context.Properties.GetValue(MeshRequest.Key, null!);
        return AtLeastNow(request.RemainingAt(request.Started));
    }

    private static TimeSpan RemainingAtAttemptStart(ResilienceContext context)
    {
        var request = context.Properties.GetValue(MeshRequest.Key, null!);
        return AtLeastNow(request.RemainingAt(request.AttemptStarted));
    }

    private static TimeSpan AtLeastNow(TimeSpan remaining) => remaining < Now ? Now : remaining;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class StrategyOptions : ResilienceStrategyOptions
    {
        public StrategyOptions(string name) => Name = name;
    }
}
