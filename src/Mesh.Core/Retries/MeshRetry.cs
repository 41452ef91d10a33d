using System.Diagnostics;
using Mesh.Bodies;
using Mesh.Classification;
using Mesh.Configuration;
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
    public static RetryStrategyOptions<HttpResponseMessage> CreateOptions(MeshService service, MeshServicePolicy policy) => new()
    {
        Name = "MeshRetry",
        MaxRetryAttempts = Math.Max(policy.Options.Retry.MaxRetries, 1),
        ShouldHandle = args => ShouldRetryAsync(service, policy.Options.Retry, args.Context, args.Outcome, args.AttemptNumber),
        DelayGenerator = args => new ValueTask<TimeSpan?>(args.Context.Properties.GetValue(MeshRequest.Key, null!).NextDelay),
        OnRetry = args =>
        {
            var request = args.Context.Properties.GetValue(MeshRequest.Key, null!);
            var reason = request.LastClassification.Reason;
            service.Telemetry.RecordRetry(service.MetricName, reason, request.Route.Name);
            service.Stats.RecordRetry(reason);
            request.Route.RecordRetry();
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

    private static ValueTask<bool> ShouldRetryAsync(MeshService service, RetryOptions options, ResilienceContext context, Outcome<HttpResponseMessage> outcome, int attempt)
    {
        var request = context.Properties.GetValue(MeshRequest.Key, null!);
        var classification = request.LastClassification;
        return classification.IsRetryable && attempt < MaxRetriesOf(request, options) && request.Body is { Settling: true } body
            ? WhenBodySettledAsync(service, options, request, body, outcome, attempt)
            : new ValueTask<bool>(ShouldRetry(service, options, request, outcome, attempt));
    }

    // The attempt failed while its body was still arriving, and the replay buffer reads on: whether the body can be sent
    // again is known once it has (at most the replay capacity). Wait for that, within the deadline and the caller's patience.
    private static async ValueTask<bool> WhenBodySettledAsync(MeshService service, RetryOptions options, MeshRequest request, ReplayableContent body, Outcome<HttpResponseMessage> outcome, int attempt)
    {
        var remaining = request.Remaining;
        if (remaining > TimeSpan.Zero)
        {
            try
            {
                await body.Settled.WaitAsync(remaining, service.Time, request.CallerToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // Not settled in time: the body cannot be sent again, and the retry is skipped as body_not_replayable.
            }
        }

        return ShouldRetry(service, options, request, outcome, attempt);
    }

    // A caller that asked for one attempt (MeshRequestOptions.NoRetry) has no retries left from the start.
    private static int MaxRetriesOf(MeshRequest request, RetryOptions options) => request.NoRetry ? 0 : options.MaxRetries;

    /// <summary>
    /// Whether an attempt so classified gives the retry strategy anything to decide: a failure (retried, or its retry
    /// recorded as skipped and why) or a retryable answer. Anything else is final as it is.
    /// </summary>
    public static bool Considers(ResponseClassification classification) => classification.IsFailure || classification.IsRetryable;

    private static bool ShouldRetry(MeshService service, RetryOptions options, MeshRequest request, Outcome<HttpResponseMessage> outcome, int attempt)
    {
        var classification = request.LastClassification;
        if (!Considers(classification))
        {
            return false;
        }

        string? skip = null;
        var delay = TimeSpan.Zero;
        if (!classification.IsRetryable)
        {
            skip = RetrySkipReasons.NotRetryable;
        }
        else if (attempt >= MaxRetriesOf(request, options))
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
                service.Telemetry.RecordBudgetExhausted(service.MetricName);
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
