using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using Mesh.Bodies;
using Mesh.Classification;
using Mesh.Hedging;
using Mesh.Retries;
using Mesh.Routing;
using Mesh.Telemetry;
using Mesh.Timeouts;
using Polly;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Mesh.Pipeline;

/// <summary>
/// The request path, every step in one place, outermost first, numbered as in docs/architecture.md. Steps 0–5 run once
/// per logical request (<see cref="SendAsync"/>; 0 picks the route, whose policy the rest run under); 6–9 are Polly
/// strategies, built once per policy (<see cref="BuildRetries"/> and <see cref="BuildAttempts"/>: the service's and each
/// route's) and run once per attempt (8 picks the backend of a traffic split and the endpoint; 6, the retries, is entered
/// only once a first attempt's outcome may be retried); 10 hands each attempt to the connection pools
/// (<see cref="SendAttemptAsync"/>). Each step says why it sits where it does.
/// </summary>
internal static class MeshPipeline
{
    // A timeout generator returning zero would mean "no timeout" to Polly; an expired deadline must mean "now".
    private static readonly TimeSpan Now = TimeSpan.FromMilliseconds(1);

    /// <summary>Sends one logical request of <paramref name="service"/> through steps 1–10.</summary>
    public static async Task<HttpResponseMessage> SendAsync(MeshService service, MeshHttpHandler handler, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // 0. Policy and route. The service's configuration, read once: a reload applies from the next request on, never
        //    halfway through one. The request's route is the first of the service's routes it matches (precompiled
        //    matchers, no allocation); the request runs under that route's policy (the service's with the route's
        //    timeouts, retries, hedging and classification) from here on, and is counted under its mesh.route value.
        //    What the caller set on this one request (MeshRequestOptions) is read once too. First, since every step
        //    below reads the policy.
        var policy = RouteOf(service, request, out var route, out var grpc);
        var overrides = RequestOverrides.Of(request);

        // One clock read serves the start, the deadline, the expiry check and the budget deposit (a read costs ~100 ns
        // on some VMs).
        var time = service.Time;
        var started = time.GetTimestamp();

        // 1. The request's span and record. Outermost, so that every request is traced and counted once, as the caller
        //    saw it, whatever the steps below do with it: a shed or expired request included, retries not multiplying it.
        var activity = RequestActivity.Start(service.Name, request);
        var deadline = DeadlineFor(policy, request, time, started, overrides.Timeout, out var stated, out var sent);
        var meshRequest = MeshRequest.Rent(request, policy, cancellationToken, time, started, deadline, activity);
        meshRequest.Route = route;
        meshRequest.SentDeadlineHeaders = sent;
        meshRequest.IsGrpc = grpc;
        meshRequest.NoRetry = overrides.NoRetry;
        meshRequest.Idempotent = overrides.Idempotent ?? policy.Classifier.IsIdempotent(request);
        if (service.Tap.IsActive)
        {
            meshRequest.TapAttempts = new(2);
            meshRequest.TapRetries = new(1);
        }

        // 2. Admission: over MaxConcurrentRequests in flight, the request is shed at once (load shedding, not a queue),
        //    before it costs a deadline timer, a retry token or a connection. Before the budget deposit, so shed load
        //    earns no retries.
        var admitted = service.TryAdmit(policy, started);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);

        // Whether the request is concluded later, not when this method returns: a response whose body ends it (a gRPC
        // status in trailers), or a failure the caller answers itself (the sidecar, UnansweredRequest).
        var later = false;
        try
        {
            if (!admitted)
            {
                var shed = new RateLimiterRejectedException(
                    $"Mesh: {policy.Options.MaxConcurrentRequests} requests of service '{service.Name}' are in flight already; this one was shed.");
                later = Refuse(service, handler, meshRequest, started, FailureReasons.Overloaded, shed);
                throw shed;
            }

            // 3. Deadline: the caller's own when the request states one (grpc-timeout, mesh-timeout-ms: honoured as given,
            //    longer or shorter than Timeouts:Total), else now + Timeouts:Total; and the deadline of the work in
            //    progress (an incoming request's, MeshDeadline.Current) if sooner. A request whose deadline has passed is
            //    not started: its answer could not matter any more.
            if (meshRequest.Deadline <= started)
            {
                var expired = new TimeoutRejectedException("Mesh: the request's deadline passed before it was sent.");
                later = Refuse(service, handler, meshRequest, started, FailureReasons.Timeout, expired);
                throw expired;
            }

            // 4. Discovery: the service's first request waits for discovery's first answer (with endpoints or not), so
            //    a cold start is not a burst of no-endpoint failures. Every later request passes at once.
            var resolved = service.EnsureResolvedAsync(cancellationToken);
            meshRequest.FirstAttemptStartsNow = resolved.IsCompleted;
            await resolved.ConfigureAwait(false);

            // 5. Retry budget and body: every logical request earns the budget its share of retries (once, not per
            //    attempt), and its body is prepared to be sent again (buffered up to Retry:MaxReplayBodyBytes as it is
            //    first sent) or marked as never to be replayed.
            service.Budget.DepositAt(started);
            meshRequest.Body = RequestBody.Prepare(request, policy.Options.Retry.MaxReplayBodyBytes, cancellationToken, service.Telemetry.CountsBytes, out var replayable);
            meshRequest.BodyKnownReplayable = replayable;

            // The per-try timeout exists to leave a hung endpoint for another. A caller that stated its deadline is given
            // all of it unless a retry could follow a timeout (retries on, and a timeout retryable for this request):
            // cutting its call at Timeouts:PerTry would only end early what it chose to wait for (a 12 s unary gRPC call).
            meshRequest.PerTryApplies = !stated || (!meshRequest.NoRetry && policy.Options.Retry.MaxRetries > 0 && meshRequest.Idempotent);
            if (policy.Options.Hedging.Enabled)
            {
                // Hedging waits for the route's own percentile: keep its latencies from its first hedged request on.
                route.KeepRecentLatencies();
            }

            // 6–10: the policy's Polly pipelines, one attempt at a time. The first attempt runs without the retry strategy
            //    (6): most requests succeed at once, and entering Polly's retry costs its own state machine and clock reads
            //    on every one of them. An outcome that may be retried is handed to the retry strategy as its first
            //    execution's, so the retries that follow are Polly's exactly as if it had run from the start.
            context.Properties.Set(MeshRequest.Key, meshRequest);
            // The attempt whose answer was accepted (the hedge's, when it won) tells how the request ended. A caller that
            // has gone is not retried for.
            var hedged = policy.Options.Hedging.Enabled;
            var outcome = await policy.Attempts.ExecuteOutcomeAsync(Attempt, context, AttemptState(handler, meshRequest, hedged)).ConfigureAwait(false);
            var final = hedged ? context.Properties.GetValue(MeshRequest.Key, meshRequest) : meshRequest;
            var retried = false;
            if (policy.Retries is { } retries && MeshRetry.Considers(final.LastClassification) && !context.CancellationToken.IsCancellationRequested)
            {
                retried = true;
                meshRequest.FirstOutcome = outcome;
                outcome = await retries.ExecuteOutcomeAsync(Retry, context, (handler, meshRequest)).ConfigureAwait(false);
                final = hedged ? context.Properties.GetValue(MeshRequest.Key, meshRequest) : meshRequest;
            }

            // A gRPC response whose status comes in its trailers ends with its body: the request (and its last
            // attempt, step 8) is concluded then, with that status. An upgraded connection (a WebSocket) is measured
            // until it closes: the request is concluded then, with its session's length and bytes. Nothing is held back
            // meanwhile. Any other response's body is counted as it streams, if anyone reads the byte counters.
            var ended = !retried && !hedged && final.AttemptEnded != 0 ? final.AttemptEnded : time.GetTimestamp();
            var verdict = VerdictOf(final, outcome);
            ExchangeBytes? bytes = new ExchangeBytes(final.BodyBytes, 0);
            if (outcome.Result is { } response)
            {
                var upgraded = Upgraded(final.Message, response);
                if (final.Streaming is not null || upgraded)
                {
                    later = true;
                    response.Content = new ResponseEndContent(response.Content, new ExchangeEnd(service, final, response), upgraded);
                    return response;
                }

                if (HasBody(final.Message, response) && service.Telemetry.CountsBytes)
                {
                    bytes = null;
                    response.Content = new ResponseEndContent(response.Content, new ExchangeEnd(service, final));
                }
            }

            later = Conclude(service, handler, final, outcome, verdict, ended, bytes);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            if (admitted)
            {
                service.Release();
            }

            ResilienceContextPool.Shared.Return(context);

            // A streaming response's or an upgraded connection's request is done when its body ends (StreamEnded), an
            // answered failure's when it is answered (UnansweredRequest).
            if (!later)
            {
                activity?.Dispose();
                Return(policy, meshRequest);
            }
        }
    }

    /// <summary>
    /// The end of a response whose verdict waited for it (a gRPC status in trailers): steps 8 and 1 conclude the last
    /// attempt and the request with the status the trailers carry; a body that broke is classified by its error, one the
    /// caller stopped reading (a cancelled call) as cancelled unless its status had arrived. The end of an upgraded
    /// connection: step 1 concludes the request, whose verdict was its 101, with the session's length and bytes.
    /// </summary>
    internal static void StreamEnded(MeshService service, MeshRequest request, HttpResponseMessage response, ResponseEnd end, Exception? error, ExchangeBytes bytes)
    {
        var policy = request.Policy;
        var ended = service.Time.GetTimestamp();
        var outcome = Outcome.FromResult(response);
        var classification = request.LastClassification;
        if (request.Streaming is { } attempt)
        {
            // The status has come with the trailers, if at all: read once now, for the verdict and every record below.
            var status = request.ReadGrpcStatus(response);
            var classifier = policy.Classifier;
            classification = end switch
            {
                ResponseEnd.Failed when error is not OperationCanceledException => classifier.Classify(request.Message, error!, callerCancelled: false),
                ResponseEnd.Completed => classifier.ClassifyTrailers(status),
                _ when status is not null => classifier.ClassifyTrailers(status),
                _ => new(true, false, FailureReasons.Cancelled),
            };
            request.LastClassification = classification;
            EndpointSelectionStrategy.Conclude(service, attempt.Target, request, attempt.Endpoint, outcome, classification, attempt.TimeToHeaders, service.Time.GetElapsedTime(attempt.Started, ended), ended, attempt.IsProbe, attempt.Span);
        }

        Complete(service, request, outcome, classification, ended, bytes: bytes);
        request.Activity?.Dispose();
        Return(policy, request);
    }

    // One attempt (steps 7–10). A hedged attempt carries a request of its own, read from its context; without hedging
    // every attempt is the request's, handed over with the state (a look-up saved).
    private static ValueTask<Outcome<HttpResponseMessage>> Attempt(ResilienceContext context, (MeshHttpHandler Handler, MeshRequest? Request) state)
    {
        var handler = state.Handler;
        var attempt = state.Request ?? context.Properties.GetValue(MeshRequest.Key, null!);
        Task<HttpResponseMessage> sent;
        try
        {
            sent = SendAttemptAsync(handler, attempt, context.CancellationToken);
        }
        catch (Exception ex)
        {
            return new(Outcome.FromException<HttpResponseMessage>(ex));
        }

        return sent.IsCompletedSuccessfully ? new(Outcome.FromResult(sent.Result)) : AwaitAttemptAsync(sent);
    }

    private static async ValueTask<Outcome<HttpResponseMessage>> AwaitAttemptAsync(Task<HttpResponseMessage> sent)
    {
        try
        {
            return Outcome.FromResult(await sent.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            return Outcome.FromException<HttpResponseMessage>(ex);
        }
    }

    // Step 6's execution: the first attempt's outcome (already had, handed over once), then a fresh attempt per retry.
    private static ValueTask<Outcome<HttpResponseMessage>> Retry(ResilienceContext context, (MeshHttpHandler Handler, MeshRequest Request) state)
    {
        if (state.Request.FirstOutcome is { } first)
        {
            state.Request.FirstOutcome = null;
            return new(first);
        }

        var policy = state.Request.Policy;
        return policy.Attempts.ExecuteOutcomeAsync(Attempt, context, AttemptState(state.Handler, state.Request, policy.Options.Hedging.Enabled));
    }

    private static (MeshHttpHandler Handler, MeshRequest? Request) AttemptState(MeshHttpHandler handler, MeshRequest request, bool hedged) =>
        (handler, hedged ? null : request);

    // An upgraded connection: HTTP/1.1's 101 Switching Protocols, or HTTP/2's extended CONNECT (RFC 8441) accepted.
    private static bool Upgraded(HttpRequestMessage request, HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.SwitchingProtocols ||
        (response.StatusCode == HttpStatusCode.OK && request.Method == HttpMethod.Connect && request.Headers.Protocol is not null);

    // A response with a body to count: not to a HEAD, not a 204 or 304, not declared empty.
    private static bool HasBody(HttpRequestMessage request, HttpResponseMessage response) =>
        request.Method != HttpMethod.Head &&
        response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.NotModified) &&
        response.Content.Headers.ContentLength != 0;

    // Step 0: the first route the request matches and its policy, else the service's; the route's mesh.route value and
    // statistics, else those of the request's gRPC method (bounded by MaxRouteValues) or of default.
    private static MeshServicePolicy RouteOf(MeshService service, HttpRequestMessage request, out RouteStats route, out bool grpc)
    {
        var policy = service.Policy;
        var path = RequestPath.Of(request.RequestUri);
        grpc = ResponseClassifier.IsGrpc(request);
        if (policy.Routes.Match(request, path, grpc) is { } matched)
        {
            route = matched.Stats;
            return matched.Policy;
        }

        route = grpc ? service.Routes.ForGrpcMethod(path, policy.Options.MaxRouteValues) : service.Routes.Default;
        return policy;
    }

    // A losing hedge may still be running and reading its request; without hedging nothing reads it any more.
    internal static void Return(MeshServicePolicy policy, MeshRequest request)
    {
        if (!policy.Options.Hedging.Enabled)
        {
            request.Return();
        }
    }

    /// <summary>Builds step 6, the retries of one policy: Polly's retry strategy around its <see cref="MeshServicePolicy.Attempts"/>.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Polly validates strategy options with data annotations; the options of Mesh's own strategies carry none beyond Polly's own Name.")]
    public static ResiliencePipeline<HttpResponseMessage> BuildRetries(MeshService service, MeshServicePolicy policy) =>
        // 6. Retries, outside endpoint selection so each retry picks a fresh endpoint. Each retry must pass the
        //    classifier, the body, the deadline (its backoff must end before it) and the retry budget, in that order, so
        //    a refused retry spends nothing.
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = service.Time, Name = service.Name }
            .AddRetry(MeshRetry.CreateOptions(service, policy))
            .Build();

    /// <summary>Builds steps 7–9, the Polly pipeline of one attempt of one policy.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Polly validates strategy options with data annotations; the options of Mesh's own strategies carry none beyond Polly's own Name.")]
    public static ResiliencePipeline<HttpResponseMessage> BuildAttempts(MeshService service, MeshServicePolicy policy)
    {
        var options = policy.Options;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = service.Time, Name = service.Name };

        // The total timeout (the request's deadline, step 3) is not a layer of its own: no attempt outlives it, since
        // each attempt's timeout (9) is capped by what is left of it, and no retry or hedge starts unless its wait ends
        // before it (6, 7). That holds the deadline without a second timer and cancellation source per request.

        // 7. Hedging (opt-in), inside retries so a hedged request that still fails may be retried, outside endpoint
        //    selection so the hedge picks its own endpoint; no hedge is sent that could not finish before the deadline.
        if (options.Hedging.Enabled)
        {
            builder.AddHedging(MeshHedging.CreateOptions(service, policy));
        }

        // 8. Backend and endpoint selection: one attempt on one endpoint, the only place that knows both which endpoint
        //    was tried and what came back; it classifies the outcome once, and the endpoint's service learns from it
        //    (balancer, failure accrual), the route keeps its latency for hedging, and the request's service records it.
        //    A traffic split (Backends) picks the backend here too, per attempt, inside retries and hedging, as Linkerd's
        //    backend distribution sits inside its retry layer (Envoy picks a weighted cluster once per request and
        //    retries within it): a retry or a hedge draws the backend again, so a failing canary's failures are mostly
        //    recovered on the stable backend, and a weight changed by a reload applies from the next attempt of a new
        //    request (a running request keeps the policy it started with). A route pinned to one backend (a canary route
        //    matched by a header) pins every attempt. Above the split, admission, the deadline and the retry budget stay
        //    the requested service's: one budget and one limit per service, whatever the backend.
        builder.AddStrategy(_ => new EndpointSelectionStrategy(service, policy), new StrategyOptions("EndpointSelection"));

        // 9. Attempt timeout, innermost, so the endpoint that hung is charged with the timeout (8): Timeouts:PerTry where a
        //    caller that stated no deadline, or where a retry could follow (step 5), else what is left of the deadline;
        //    always capped by it. It bounds the wait for
        //    the response's headers only: a body already streaming (server streaming, SSE, a download) is not cut. When
        //    the deadline cut a per-try window short, its firing is the deadline's, not the endpoint's fault.
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "Timeout",
            TimeoutGenerator = args => new ValueTask<TimeSpan>(AttemptTimeout(args.Context, options.Timeouts.PerTry)),
        });

        return builder.Build();
    }

    /// <summary>
    /// 10. Send: stamps the attempt's deadline (<c>mesh-timeout-ms</c>, and lowers a caller's <c>grpc-timeout</c>) and its
    /// span's <c>traceparent</c>, then hands it to the connection pools. Last, so the headers state the budget and the
    /// span of this very attempt.
    /// </summary>
    private static Task<HttpResponseMessage> SendAttemptAsync(MeshHttpHandler handler, MeshRequest request, CancellationToken cancellationToken)
    {
        var policy = request.Policy;
        var left = request.RemainingAt(request.AttemptStarted);
        var perTry = policy.Options.Timeouts.PerTry;
        var budget = request.PerTryApplies && perTry < left ? perTry : left;
        var headers = request.Message.Headers;

        // Each header looked up by name is a scan of the request's headers: only where the caller sent it, or an earlier
        // attempt (or the attempt a hedge copied) wrote it.
        if (request.Attempts > 1 || (request.SentDeadlineHeaders & DeadlineHeaderSet.MeshTimeout) != 0)
        {
            headers.Remove(DeadlineHeaders.MeshTimeout);
        }

        headers.TryAddWithoutValidation(DeadlineHeaders.MeshTimeout, budget == perTry ? policy.PerTryHeader : DeadlineHeaders.FormatMeshTimeout(budget));
        if ((request.SentDeadlineHeaders & DeadlineHeaderSet.GrpcTimeout) != 0 &&
            headers.NonValidated.TryGetValues(DeadlineHeaders.GrpcTimeout, out var grpc) &&
            (!DeadlineHeaders.TryParseGrpcTimeout(grpc.ToString(), out var callerGrpc) || budget < callerGrpc))
        {
            headers.Remove(DeadlineHeaders.GrpcTimeout);
            headers.TryAddWithoutValidation(DeadlineHeaders.GrpcTimeout, DeadlineHeaders.FormatGrpcTimeout(budget));
        }

        // Trace propagation: the endpoint's spans become children of this attempt's span (there is one only where the
        // request has a span: the async-local is not read otherwise).
        if (request.Activity is not null && Activity.Current is { } attempt && attempt.Source == MeshTelemetry.ActivitySource)
        {
            TraceContext.Inject(attempt, headers);
        }

        return handler.SendToEndpointAsync(request.Message, cancellationToken);
    }

    // A request refused before any attempt (steps 2 and 3): concluded like any other (true: later), then thrown.
    private static bool Refuse(MeshService service, MeshHttpHandler handler, MeshRequest request, long now, string reason, Exception refusal) =>
        Conclude(service, handler, request, Outcome.FromException<HttpResponseMessage>(refusal), new(true, false, reason), now, new ExchangeBytes(0, 0));

    // Step 1's end, now; or, for a failure the caller answers itself (the sidecar), when it has answered: the verdict goes
    // on the exception at once, where the caller reads it to choose its answer, and the record with it. True when later.
    // The request's bytes, when known now (null: its response body counts them as it streams).
    private static bool Conclude(MeshService service, MeshHttpHandler handler, MeshRequest request, Outcome<HttpResponseMessage> outcome, ResponseClassification verdict, long ended, ExchangeBytes? bytes)
    {
        if (outcome.Exception is { } exception && handler.AnswersFailures)
        {
            MeshFailure.Mark(exception, verdict.Reason);
            new UnansweredRequest(service, request, outcome, verdict, ended, bytes).AttachTo(exception);
            return true;
        }

        Complete(service, request, outcome, verdict, ended, bytes: bytes);
        return false;
    }

    // The end of step 1: the request's metrics, statistics, tap event and span status, and the verdict on the exception
    // that ends a failed request, where the sidecar reads it. A failure the caller answered itself is recorded with the
    // status it answered (<paramref name="answered"/>, 0 for none) and, to a gRPC caller, the gRPC status (-1 for none).
    // Its bytes, when known (<paramref name="bytes"/>), are counted with it.
    internal static void Complete(MeshService service, MeshRequest request, Outcome<HttpResponseMessage> outcome, ResponseClassification verdict, long ended, int answered = 0, int answeredGrpc = -1, ExchangeBytes? bytes = null)
    {
        service.Recorder.RecordRequest(request, outcome, verdict, ended, answered, answeredGrpc, bytes);
        if (request.Activity is { } activity)
        {
            if (outcome.Result is { } response && request.GrpcStatusOf(response) is { } grpc)
            {
                activity.SetTag(MeshInstruments.GrpcStatusCodeTag, (int)grpc);
            }
            else if (answered != 0)
            {
                activity.SetTag(MeshInstruments.StatusCodeTag, answered);
                if (answeredGrpc >= 0)
                {
                    activity.SetTag(MeshInstruments.GrpcStatusCodeTag, answeredGrpc);
                }
            }
        }

        if (verdict.IsFailure)
        {
            request.Activity?.SetStatus(ActivityStatusCode.Error, verdict.Reason);
        }

        if (outcome.Exception is { } exception)
        {
            MeshFailure.Mark(exception, verdict.Reason);
        }
    }

    // The last attempt's verdict; when no attempt decided the outcome (none was made, or the deadline ended the request
    // between attempts), the request's own exception says why.
    private static ResponseClassification VerdictOf(MeshRequest request, Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } exception && (request.Attempts == 0 || exception is TimeoutRejectedException)
            ? ResponseClassifier.Classify(exception, request.CallerToken.IsCancellationRequested, request.Idempotent)
            : request.LastClassification;

    // The caller's stated deadline (its headers', or the one set on the request in-process, the tighter) or else the
    // total timeout, from now; or the deadline of the work in progress (an incoming request's) if sooner: a timestamp of
    // the service's clock.
    private static long DeadlineFor(MeshServicePolicy policy, HttpRequestMessage request, TimeProvider time, long now, TimeSpan? set, out bool stated, out DeadlineHeaderSet sent)
    {
        // One pass over the request's headers comparing names: a look-up by name parses the name, then scans them all.
        sent = 0;
        HeaderStringValues grpc = default, mesh = default;
        foreach (var header in request.Headers.NonValidated)
        {
            if (string.Equals(header.Key, DeadlineHeaders.GrpcTimeout, StringComparison.OrdinalIgnoreCase))
            {
                sent |= DeadlineHeaderSet.GrpcTimeout;
                grpc = header.Value;
            }
            else if (string.Equals(header.Key, DeadlineHeaders.MeshTimeout, StringComparison.OrdinalIgnoreCase))
            {
                sent |= DeadlineHeaderSet.MeshTimeout;
                mesh = header.Value;
            }
        }

        var budget = sent != 0 ? DeadlineHeaders.Read(mesh.ToString(), grpc.ToString()) : null;
        if (set is { } requested && (budget is null || requested < budget))
        {
            budget = requested;
        }

        stated = budget is not null;
        var own = budget is { } given ? now + (long)(given.TotalSeconds * time.TimestampFrequency) : now + policy.TotalTimeout;
        return MeshDeadline.Current is { } caller && caller.Timestamp < own && caller.Time == time
            ? caller.Timestamp
            : own;
    }

    // The generator runs as each attempt starts: the clock read made then is current enough.
    private static TimeSpan AttemptTimeout(ResilienceContext context, TimeSpan perTry)
    {
        var request = context.Properties.GetValue(MeshRequest.Key, null!);
        var remaining = request.RemainingAt(request.AttemptStarted);
        request.AttemptCutByDeadline = remaining < perTry;
        var timeout = request.PerTryApplies && perTry < remaining ? perTry : remaining;
        return timeout < Now ? Now : timeout;
    }

    private sealed class StrategyOptions : ResilienceStrategyOptions
    {
        public StrategyOptions(string name) => Name = name;
    }
}
