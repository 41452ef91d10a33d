using System.Diagnostics.CodeAnalysis;
using Mesh.Hedging;
using Mesh.Retries;
using Polly;
using Polly.Timeout;

namespace Mesh.Pipeline;

/// <summary>
/// The request path, assembled in one place, outermost layer first. Each line says why the layer sits where it
/// does. Around it, <see cref="MeshHttpHandler"/> sheds what is over the service's concurrency limit (so a shed
/// request costs no deadline, retry token or connection), records the caller's golden metrics, deposits into the
/// retry budget, fixes the deadline and prepares the body for replay; inside it, the handler's send stamps the
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

        // The total timeout (the request's deadline) is not a layer of its own: no attempt outlives it, since each
        // attempt's timeout (4) is capped by what is left of it, and no retry or hedge starts unless its wait ends
        // before it (1, 2). That holds the deadline without a second timer and cancellation source per request.

        // 1. Retries, outside endpoint selection so each retry picks a fresh endpoint. Each retry must pass the
        //    classifier, the body, the deadline (its backoff must end before it) and the retry budget.
        if (options.Retry.MaxRetries > 0)
        {
            builder.AddRetry(MeshRetry.CreateOptions(service));
        }

        // 2. Hedging (opt-in), inside retries so a hedged request that still fails may be retried, outside endpoint
        //    selection so the hedge picks its own endpoint; no hedge is sent that could not finish before the deadline.
        if (options.Hedging.Enabled)
        {
            builder.AddHedging(MeshHedging.CreateOptions(service));
        }

        // 3. Endpoint selection: one attempt on one endpoint, recording its outcome for the balancer and failure accrual.
        builder.AddStrategy(_ => new EndpointSelectionStrategy(service), new StrategyOptions("EndpointSelection"));

        // 4. Per-try timeout, innermost, so the endpoint that hung is charged with the timeout; capped by what is
        //    left of the deadline, and then, when it fires, the deadline ended the attempt, which is not the endpoint's fault.
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "Timeout",
            TimeoutGenerator = args => new ValueTask<TimeSpan>(AttemptTimeout(args.Context, options.Timeouts.PerTry)),
        });

        return builder.Build();
    }

    // The generator runs as each attempt starts: the clock read made then is current enough.
    private static TimeSpan AttemptTimeout(ResilienceContext context, TimeSpan perTry)
    {
        var request = context.Properties.GetValue(MeshRequest.Key, null!);
        var remaining = request.RemainingAt(request.AttemptStarted);
        request.AttemptCutByDeadline = remaining < perTry;
        return remaining < perTry ? (remaining < Now ? Now : remaining) : perTry;
    }

    private sealed class StrategyOptions : ResilienceStrategyOptions
    {
        public StrategyOptions(string name) => Name = name;
    }
}
