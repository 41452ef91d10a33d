using System.Diagnostics;
using Mesh.Classification;
using Mesh.Telemetry;
using Polly;
using Polly.Timeout;

namespace Mesh.Pipeline;

/// <summary>
/// One attempt on one endpoint: picks the backend of a traffic split, if the policy has one, then the endpoint (afresh for
/// every retry, avoiding the last one), aims the request at it, classifies what came back once, and hands that verdict to
/// what the endpoint's service learns (the endpoint's latency estimate, its failure accrual), to the route's latencies
/// for hedging, and to what the request's service records (attempt metrics, statistics, tap).
/// </summary>
internal sealed class EndpointSelectionStrategy(MeshService service, MeshServicePolicy policy) : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback,
        ResilienceContext context,
        TState state)
    {
        var request = context.Properties.GetValue(MeshRequest.Key, null!);

        // The backend, per attempt as Linkerd's distribution sits inside its retries: a retry draws again, so a failing
        // canary's retried requests mostly land on the stable backend, while a route pinned to one backend pins each
        // attempt. A backend's first request waits for its discovery's first answer, as a service's first does (step 4).
        var target = service;
        if (policy.Split is { } split)
        {
            var backend = split.Pick(service.Random());
            request.Backend = backend;
            target = backend.Service;
            if (!target.Endpoints.FirstResolution.IsCompleted)
            {
                await target.EnsureResolvedAsync(context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
            }
        }

        // One clock read for the pick (a probe's penalty), the attempt's start, its per-try timeout and its deadline header;
        // none for a first attempt that starts as its request did (nothing was awaited since the request's own read).
        var started = request.Attempts == 0 && request.FirstAttemptStartsNow && target == service ? request.Started : service.Time.GetTimestamp();
        var endpoint = target.Pick(request.LastEndpoint, started, out var isProbe);
        if (endpoint is null)
        {
            request.LastClassification = new(true, false, FailureReasons.NoEndpoints);
            return Outcome.FromException<HttpResponseMessage>(new NoEndpointsException(target.Name));
        }

        request.Message.RequestUri = request.UriFor(endpoint);
        request.IsProbe = isProbe;
        request.CurrentEndpoint = endpoint;
        request.Attempts++;
        request.AttemptStarted = started;
        endpoint.OnAttemptStarted();
        var span = StartAttemptSpan(request, endpoint, isProbe);
        Outcome<HttpResponseMessage> outcome;
        try
        {
            outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch
        {
            span?.Dispose();
            throw;
        }
        finally
        {
            endpoint.OnAttemptEnded();
        }

        // One clock read for the attempt's end, shared by everything that records it.
        var ended = service.Time.GetTimestamp();
        request.AttemptEnded = ended;
        var elapsed = service.Time.GetElapsedTime(started, ended);
        var classification = outcome.Exception is { } exception
            ? ResponseClassifier.Classify(exception, CancelledFromOutside(request, context, exception), request.Idempotent)
            : policy.Classifier.Classify(outcome.Result!, request.Idempotent, request.IsGrpc);
        request.LastEndpoint = endpoint;
        request.LastClassification = classification;

        // A gRPC call's response whose status is still to come (in its trailers) is concluded when its body ends
        // (MeshPipeline.StreamEnded): not retried, since it succeeded so far, and not held back by a single byte.
        if (!classification.IsFailure && outcome.Result is { } response && ResponseClassifier.AwaitsTrailers(response, request.IsGrpc))
        {
            request.Streaming = new StreamingAttempt(endpoint, started, elapsed, request.IsProbe, span, target);
            return outcome;
        }

        request.Streaming = null;
        Conclude(service, target, request, endpoint, outcome, classification, elapsed, elapsed, ended, request.IsProbe, span);
        return outcome;
    }

    /// <summary>
    /// Hands an attempt's verdict to what <paramref name="target"/>, the service whose endpoint it was (the request's own,
    /// or a backend of its split), learns (the endpoint's latency estimate, from its time to headers; its failure
    /// accrual), to the route's latencies for hedging, and to what the request's <paramref name="service"/> records
    /// (attempt metrics over <paramref name="elapsed"/>, statistics, tap, the attempt's span, which it ends).
    /// </summary>
    internal static void Conclude(MeshService service, MeshService target, MeshRequest request, Endpoints.MeshEndpoint endpoint, Outcome<HttpResponseMessage> outcome, ResponseClassification classification, TimeSpan timeToHeaders, TimeSpan elapsed, long ended, bool isProbe, Activity? span)
    {
        var judged = target.Learn(endpoint, classification, timeToHeaders, ended, isProbe, request.Policy.Backpressure, outcome.Result);
        if (judged && classification.Reason != FailureReasons.Cancelled)
        {
            // Hedging's delay is a percentile of the route's attempts (kept only where a policy hedges).
            request.Route.RecentLatencies?.RecordAt(timeToHeaders, ended);
        }

        service.Recorder.RecordAttempt(request, endpoint, outcome, classification, elapsed, ended);
        if (span is not null)
        {
            span.SetTag("mesh.attempt.outcome", classification.Reason);
            if (outcome.Result is { } response)
            {
                span.SetTag(MeshInstruments.StatusCodeTag, (int)response.StatusCode);
                if (request.GrpcStatusOf(response) is { } grpc)
                {
                    span.SetTag(MeshInstruments.GrpcStatusCodeTag, (int)grpc);
                }
            }

            if (classification.IsFailure)
            {
                span.SetStatus(ActivityStatusCode.Error, classification.Reason);
            }

            span.Dispose();
        }

        request.Activity?.AddEvent(new ActivityEvent("attempt", tags: new ActivityTagsCollection
        {
            ["mesh.attempt"] = request.Attempts,
            [MeshInstruments.EndpointTag] = endpoint.Name,
            ["mesh.attempt.outcome"] = classification.Reason,
            ["mesh.attempt.duration_ms"] = elapsed.TotalMilliseconds,
        }));
    }

    /// <summary>A span per attempt, child of the request's, naming the endpoint, the attempt number and why it was made.</summary>
    private static Activity? StartAttemptSpan(MeshRequest request, Endpoints.MeshEndpoint endpoint, bool isProbe)
    {
        if (request.Activity is null)
        {
            return null;
        }

        var span = MeshTelemetry.ActivitySource.StartActivity("mesh.attempt", ActivityKind.Client, request.Activity.Context);
        if (span is not null)
        {
            span.DisplayName = $"attempt {request.Attempts} {endpoint.Name}";
            span.SetTag("mesh.attempt", request.Attempts);
            span.SetTag(MeshInstruments.EndpointTag, endpoint.Name);
            span.SetTag("mesh.attempt.probe", isProbe);
            if (request.Attempts > 1)
            {
                span.SetTag(MeshInstruments.RetryReasonTag, request.LastClassification.Reason);
            }
        }

        return span;
    }

    // Cancelled by the caller, the request's deadline or a hedge that won: not the endpoint's fault, so it is not charged.
    // (The per-try timeout, below this layer, surfaces as TimeoutRejectedException and is charged, unless the deadline
    // had cut the attempt's time short.)
    private static bool CancelledFromOutside(MeshRequest request, ResilienceContext context, Exception exception) =>
        request.CallerToken.IsCancellationRequested ||
        (exception is TimeoutRejectedException && request.AttemptCutByDeadline) ||
        (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested);
}
