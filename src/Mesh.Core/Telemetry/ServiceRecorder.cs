using Mesh.Classification;
using Mesh.Endpoints;
using Mesh.Pipeline;
using Mesh.Stats;
using Mesh.Tap;
using Polly;

namespace Mesh.Telemetry;

/// <summary>
/// Records one service's traffic where operators read it: the golden metrics (<c>mesh.requests</c>,
/// <c>mesh.attempts</c> and their durations), the rolling statistics of <c>/stats</c>, and the tap. It decides nothing:
/// the verdicts it records are the classifier's, and what the service learns from them is <see cref="MeshService.Learn"/>.
/// </summary>
internal sealed class ServiceRecorder(MeshService service)
{
    /// <summary>Records an attempt that ended at <paramref name="ended"/>, a timestamp of the service's clock.</summary>
    public void RecordAttempt(MeshRequest request, MeshEndpoint endpoint, Outcome<HttpResponseMessage> outcome, ResponseClassification classification, TimeSpan elapsed, long ended)
    {
        if (classification.Reason != FailureReasons.Cancelled)
        {
            var bucket = LatencyHistogram.BucketOf(elapsed);
            endpoint.Traffic?.RecordAt(classification.IsFailure, bucket, ended);
            service.Stats.Attempts.RecordAt(classification.IsFailure, bucket, ended);
            if (request.Backend?.Service is { } backend && backend != service)
            {
                // A split's backend shows in /stats with the attempts it answered (its requests are the caller's service's).
                backend.Stats.Attempts.RecordAt(classification.IsFailure, bucket, ended);
            }
        }

        if (request.TapAttempts is { } tapAttempts)
        {
            // A hedge shares the list with the attempt it races.
            lock (tapAttempts)
            {
                tapAttempts.Add(new TapAttempt(endpoint.Name, classification.Reason, StatusOrNull(outcome), elapsed.TotalMilliseconds));
            }
        }

        var tags = new RequestTags(service.Direction, service.MetricName, request.Message.Method.Method, StatusOf(outcome), !classification.IsFailure, ErrorTypeOf(outcome, classification), GrpcStatusOf(request, outcome), request.Route.Name, request.Backend?.Name, PeerOf(request));
        service.Telemetry.RecordAttempt(in tags, service.EndpointMetricName(endpoint), elapsed);
    }

    /// <summary>
    /// Records a logical request that ended at <paramref name="ended"/> with <paramref name="verdict"/>, the
    /// classification the caller's answer got: its last attempt's, or, when no attempt decided it, its own. A failure the
    /// caller answered itself (the sidecar) carries the status it answered, <paramref name="answered"/> (0: none), and
    /// to a gRPC caller <paramref name="answeredGrpc"/> (-1: none). Its <paramref name="bytes"/>, when known now, are
    /// counted with it (and shown in its tap event); otherwise its response body counts them as it streams.
    /// </summary>
    public void RecordRequest(MeshRequest request, Outcome<HttpResponseMessage> outcome, ResponseClassification verdict, long ended, int answered = 0, int answeredGrpc = -1, ExchangeBytes? bytes = null)
    {
        if (bytes is { } counted)
        {
            RecordBytes(counted);
        }

        var elapsed = service.Time.GetElapsedTime(request.Started, ended);
        var status = outcome.Result is { } response ? (int)response.StatusCode : answered;
        var grpc = outcome.Result is not null ? GrpcStatusOf(request, outcome) : answeredGrpc;
        var peer = PeerOf(request);
        var tags = new RequestTags(service.Direction, service.MetricName, request.Message.Method.Method, status, !verdict.IsFailure, ErrorTypeOf(outcome, verdict), grpc, request.Route.Name, request.Backend?.Name, peer);
        service.Telemetry.RecordRequest(in tags, elapsed);
        var bucket = LatencyHistogram.BucketOf(elapsed);
        service.Stats.Requests.RecordAt(verdict.IsFailure, bucket, ended);
        request.Route.Requests.RecordAt(verdict.IsFailure, bucket, ended);
        if (service.Tap.IsActive)
        {
            service.Tap.Publish(TapEventOf(request, outcome, verdict, elapsed, status, grpc, bytes, peer));
        }
    }

    /// <summary>Counts the body bytes of one request each way (<c>mesh.request.bytes</c>, <c>mesh.response.bytes</c>).</summary>
    public void RecordBytes(ExchangeBytes bytes) => service.Telemetry.RecordBytes(service.Direction, service.MetricName, bytes);

    /// <summary>Gets the service's statistics over <paramref name="window"/>.</summary>
    public ServiceSnapshot Snapshot(TimeSpan window)
    {
        var endpoints = new List<EndpointSnapshot>();
        var now = service.Time.GetTimestamp();
        foreach (var endpoint in service.Endpoints.Current.All)
        {
            var state = endpoint.StateTagAt(now);
            endpoints.Add(new EndpointSnapshot(
                endpoint.Name,
                state,
                state == EndpointStateExtensions.Loaded ? endpoint.LoadedReason : endpoint.State == EndpointState.Ready ? null : endpoint.Health.EjectionReason,
                endpoint.InFlight,
                TimeSpan.FromMilliseconds(endpoint.Latency.EstimateMs),
                endpoint.Traffic?.Snapshot(window) ?? new TrafficSnapshot(0, 0, null, null, null, null)));
        }

        var stats = service.Stats;
        return new ServiceSnapshot(service.Name, service.Direction, stats.Requests.Snapshot(window), stats.Attempts.Snapshot(window), stats.RetriesPerSecond(window), service.Budget.Remaining, endpoints, RoutesOf(window));
    }

    // The route values with requests in the window, and every route configured now (with or without), by name.
    private List<RouteSnapshot> RoutesOf(TimeSpan window)
    {
        var configured = service.Policy.Routes.Routes;
        var routes = new List<RouteSnapshot>();
        foreach (var route in service.Routes.All)
        {
            var snapshot = route.Snapshot(window);
            if (snapshot.Requests.Count > 0 || configured.Any(r => string.Equals(r.Name, route.Name, StringComparison.Ordinal)))
            {
                routes.Add(snapshot);
            }
        }

        routes.Sort(static (a, b) => string.CompareOrdinal(a.Route, b.Route));
        return routes;
    }

    // Only an inbound request carries its caller (outbound ones skip the lookup).
    private InboundPeer? PeerOf(MeshRequest request) =>
        service.Direction == MeshDirection.Inbound ? InboundPeer.Of(request.Message) : null;

    private TapEvent TapEventOf(MeshRequest request, Outcome<HttpResponseMessage> outcome, ResponseClassification verdict, TimeSpan elapsed, int status, int grpcStatus, ExchangeBytes? bytes, InboundPeer? peer)
    {
        var target = request.OriginalUri;
        var traceId = request.Activity?.TraceId.ToHexString() ?? TraceContext.TraceIdOf(request.Message.Headers);
        return new TapEvent(
            service.Time.GetUtcNow(),
            service.Direction,
            service.Name,
            request.Message.Method.Method,
            target.Authority,
            target.AbsolutePath,
            status == 0 ? null : status,
            elapsed.TotalMilliseconds,
            verdict.IsFailure ? "failure" : "success",
            outcome.Result is not null ? request.LastEndpoint?.Name : null,
            request.TapAttempts ?? [],
            request.TapRetries ?? [],
            request.RetrySkipped,
            traceId,
            grpcStatus < 0 ? null : grpcStatus,
            Tls: peer?.Tls,
            ClientId: peer?.ClientId,
            Route: request.Route.Name,
            Backend: request.Backend?.Name)
        {
            RequestBytes = bytes?.Request,
            ResponseBytes = bytes?.Response,
        };
    }

    private static int? StatusOrNull(Outcome<HttpResponseMessage> outcome) => outcome.Result is { } response ? (int)response.StatusCode : null;

    private static int GrpcStatusOf(MeshRequest request, Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response && request.GrpcStatusOf(response) is { } code ? (int)code : -1;

    private static int StatusOf(Outcome<HttpResponseMessage> outcome) => outcome.Result is { } response ? (int)response.StatusCode : 0;

    private static string? ErrorTypeOf(Outcome<HttpResponseMessage> outcome, ResponseClassification classification) =>
        outcome.Exception is null ? null : classification.Reason;
}
