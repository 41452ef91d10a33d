using System.Diagnostics;
using Mesh.Pipeline;
using Mesh.Telemetry;
using Polly;
using Polly.Retry;

namespace Mesh.Retries;

/// <summary>
/// The retry policy on Polly's retry strategy: a failed attempt is retried only when the classifier says it may be,
/// the request has retries left, its body can be replayed, the deadline leaves room for the backoff, and the
/// service's retry budget grants a token, in that order, so that a refused retry spends nothing.
/// </summary>
internal static class MeshRetry
{
    public static RetryStrategyOptions<HttpResponseMessage> CreateOptions(MeshService service) => new()
    {
        Name = "MeshRetry",
        MaxRetryAttempts = Math.Max(service.Options.Retry.MaxRetries, 1),
        ShouldHandle = args => new ValueTask<bool>(ShouldRetry(service, args.Context, args.Outcome, args.AttemptNumber)),
        DelayGenerator = args => new ValueTask<TimeSpan?>(args.Context.Properties.GetValue(MeshRequest.Key, null!).NextDelay),
        OnRetry = args =>
        {
            var request = args.Context.Properties.GetValue(MeshRequest.Key, null!);
            var reason = request.LastClassification.Reason;
            service.Telemetry.RecordRetry(service.Name, reason);
            service.Stats.RecordRetry(reason);
            request.TapRetries?.Add(reason);
            request.Activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection
            {
                [MeshInstruments.RetryReasonTag] = reason,
                ["mesh.retry.delay_ms"] = args.RetryDelay.TotalMilliseconds,
            }));
            args.Outcome.Result?.Dispose();
            return default;
        },
    };

    private static bool ShouldRetry(MeshService service, ResilienceContext context, Outcome<HttpResponseMessage> outcome, int attempt)
    {
        var request = context.Properties.GetValue(MeshRequest.Key, null!);
        var classification = request.LastClassification;
        if (!classification.IsFailure && !classification.IsRetryable)
        {
            return false;
        }

        var options = service.Options.Retry;
        string? skip = null;
        var delay = TimeSpan.Zero;
        if (!classification.IsRetryable)
        {
            skip = RetrySkipReasons.NotRetryable;
        }
        else if (attempt >= options.MaxRetries)
        {
            skip = RetrySkipReasons.MaxRetries;
        }
        else if (!request.BodyReplayable)
        {
            skip = RetrySkipReasons.BodyNotReplayable;
        }
        else
        {
            delay = Backoff.RetryAfter(outcome.Result, service.Time.GetUtcNow(), options.MaxRetryAfter)
                ?? Backoff.Delay(attempt, options.BaseDelay, options.MaxDelay, service.Random());
            if (request.Remaining <= delay)
            {
                skip = RetrySkipReasons.Deadline;
            }
            else if (!service.Budget.TryWithdraw())
            {
                skip = RetrySkipReasons.BudgetExhausted;
                service.Telemetry.RecordBudgetExhausted(service.Name);
            }
        }

        if (skip is not null)
        {
            request.RetrySkipped = skip;
            request.Activity?.AddEvent(new ActivityEvent("retry_skipped", tags: new ActivityTagsCollection { ["mesh.retry.skip_reason"] = skip }));
            return false;
        }

        request.NextDelay = delay;
        return true;
    }
}
