using System.Diagnostics;
using Mesh.Bodies;
using Mesh.Telemetry;
using Mesh.Timeouts;
using Mesh.Classification;
using Polly;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Mesh.Pipeline;

/// <summary>
/// The Mesh request path as an <see cref="HttpMessageHandler"/>: a request to <c>http://{service}/path</c> goes
/// through the service's pipeline (deadline, retries under a budget, endpoint selection, per-try timeout) to one of
/// its endpoints. The in-process client and the sidecar both send through this handler.
/// </summary>
public sealed class MeshHttpHandler : DelegatingHandler
{
    private readonly MeshServiceEntry _entry;
    private FormattedBudget? _perTryHeader;

    internal MeshHttpHandler(MeshServiceEntry entry) => _entry = entry;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The service's current configuration, read once: a hot reload applies from the next request on.
        var service = _entry.Current;
        // One clock read serves the start, the total deadline, the expiry check and the budget deposit (a read costs
        // ~100 ns on some VMs).
        var started = service.Time.GetTimestamp();
        using var activity = StartActivity(service, request);
        var meshRequest = MeshRequest.Rent(request, cancellationToken, service.Time, started, DeadlineFor(service, started), activity);
        var admitted = service.TryAdmit();
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            if (!admitted)
            {
                // Load shedding: too many requests of this service are in flight, so this one is refused at once, before
                // it costs a deadline, a retry token or a connection; it is not queued.
                var shed = Outcome.FromException<HttpResponseMessage>(new RateLimiterRejectedException(
                    $"Mesh: {service.Options.MaxConcurrentRequests} requests of service '{service.Name}' are in flight already; this one was shed."));
                service.OnRequestCompleted(meshRequest, shed, started);
                activity?.SetStatus(ActivityStatusCode.Error, FailureReasons.Overloaded);
                shed.ThrowIfException();
            }

            if (service.Tap.IsActive)
            {
                meshRequest.TapAttempts = new(2);
                meshRequest.TapRetries = new(1);
            }

            if (meshRequest.Deadline <= started)
            {
                // The caller's deadline has passed: the answer cannot matter any more, so the request is not started.
                var expired = Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException("Mesh: the request's deadline passed before it was sent."));
                service.OnRequestCompleted(meshRequest, expired, started);
                activity?.SetStatus(ActivityStatusCode.Error, "deadline");
                expired.ThrowIfException();
            }

            await service.EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);

            // Every logical request earns the budget its share of retries.
            service.Budget.DepositAt(started);
            meshRequest.Body = RequestBody.Prepare(request, service.Options.Retry.MaxReplayBodyBytes, cancellationToken, out var replayable);
            meshRequest.BodyKnownReplayable = replayable;

            context.Properties.Set(MeshRequest.Key, meshRequest);
            var outcome = await service.Pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        // Read from the context, not captured: a hedged attempt carries a request of its own.
                        var attempt = ctx.Properties.GetValue(MeshRequest.Key, null!);
                        return Outcome.FromResult(await state.Handler.SendToEndpointAsync(state.Service, attempt, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (Handler: this, Service: service)).ConfigureAwait(false);

            // The attempt whose answer was accepted (the hedge's, when it won) tells how the request ended.
            var final = context.Properties.GetValue(MeshRequest.Key, meshRequest);
            service.OnRequestCompleted(final, outcome, service.Time.GetTimestamp());
            if (activity is not null && (outcome.Exception is not null || final.LastClassification.IsFailure))
            {
                activity.SetStatus(ActivityStatusCode.Error, final.LastClassification.Reason);
            }

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

            // A losing hedge may still be running and reading its request; without hedging nothing reads it any more.
            if (!service.Options.Hedging.Enabled)
            {
                meshRequest.Return();
            }
        }
    }

    // Most attempts have a whole per-try timeout ahead of them, so its header value is formatted once, not per request.
    private string PerTryHeader(TimeSpan perTry)
    {
        var cached = _perTryHeader;
        if (cached is null || cached.Budget != perTry)
        {
            cached = new FormattedBudget(perTry, DeadlineHeaders.FormatMeshTimeout(perTry));
            _perTryHeader = cached;
        }

        return cached.Value;
    }

    // The total timeout from now, or the caller's deadline (an incoming request's) if sooner: a timestamp of the service's clock.
    private static long DeadlineFor(MeshService service, long now)
    {
        var total = now + (long)(service.Options.Timeouts.Total.TotalSeconds * service.Time.TimestampFrequency);
        return MeshDeadline.Current is { } caller && caller.Timestamp < total && caller.Time == service.Time
            ? caller.Timestamp
            : total;
    }

    private static Activity? StartActivity(MeshService service, HttpRequestMessage request)
    {
        if (!MeshTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        // Continue the caller's trace: the current activity when someone records it, or else the traceparent the
        // request carries (a sidecar forwarding an application's request). An activity nobody records (ASP.NET Core
        // makes one per request whenever its logging is on) would leave Mesh's spans hanging from a span never exported.
        var current = Activity.Current;
        ActivityContext parent;
        if (current is { Recorded: true })
        {
            parent = current.Context;
        }
        else
        {
            // Skip the unrecorded span: hang from the caller's span it continued, if any, or start a trace. (Current
            // is an async-local, so clearing it here does not reach the caller.)
            parent = TraceContext.FromHeaders(request.Headers)
                ?? (current is { HasRemoteParent: true } ? new ActivityContext(current.TraceId, current.ParentSpanId, current.ActivityTraceFlags, current.TraceStateString, isRemote: true) : default);
            Activity.Current = null;
        }

        var activity = MeshTelemetry.ActivitySource.StartActivity("mesh.request", ActivityKind.Client, parent);
        if (activity is not null)
        {
            activity.DisplayName = $"{request.Method.Method} {service.Name}";
            activity.SetTag(MeshInstruments.ServiceTag, service.Name);
            activity.SetTag(MeshInstruments.MethodTag, request.Method.Method);
        }

        return activity;
    }

    private Task<HttpResponseMessage> SendToEndpointAsync(MeshService service, MeshRequest request, CancellationToken cancellationToken)
    {
        // Deadline propagation: the endpoint learns how long the caller will wait for this attempt.
        var left = request.RemainingAt(request.AttemptStarted);
        var perTry = service.Options.Timeouts.PerTry;
        var budget = left < perTry ? left : perTry;
        var headers = request.Message.Headers;
        headers.Remove(DeadlineHeaders.MeshTimeout);
        headers.TryAddWithoutValidation(DeadlineHeaders.MeshTimeout, budget == perTry ? PerTryHeader(perTry) : DeadlineHeaders.FormatMeshTimeout(budget));
        if (headers.NonValidated.TryGetValues(DeadlineHeaders.GrpcTimeout, out var grpc) &&
            (!DeadlineHeaders.TryParseGrpcTimeout(grpc.ToString(), out var callerGrpc) || budget < callerGrpc))
        {
            headers.Remove(DeadlineHeaders.GrpcTimeout);
            headers.TryAddWithoutValidation(DeadlineHeaders.GrpcTimeout, DeadlineHeaders.FormatGrpcTimeout(budget));
        }

        // Trace propagation: the endpoint's spans become children of this attempt's span.
        if (Activity.Current is { } attempt && attempt.Source == MeshTelemetry.ActivitySource)
        {
            TraceContext.Inject(attempt, headers);
        }

        return base.SendAsync(request.Message, cancellationToken);
    }

    private sealed record FormattedBudget(TimeSpan Budget, string Value);
}
