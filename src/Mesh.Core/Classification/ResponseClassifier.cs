using System.Net;
using Polly.Timeout;

namespace Mesh.Classification;

/// <summary>
/// Classifies an attempt once; every policy reads the result. The statuses that count are configurable per service and
/// per route (<c>Classification</c>, compiled into <see cref="ResponseClasses"/>); by default:
/// <list type="bullet">
/// <item>Failure: 5xx, connection failures, timeouts, and the gRPC statuses UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, DATA_LOSS, RESOURCE_EXHAUSTED,
/// read from a trailers-only response's headers at once, or from the trailers when the body ends (<see cref="ClassifyTrailers"/>).</item>
/// <item>Retryable for any method: nothing was sent (connect failure or timeout, REFUSED_STREAM).</item>
/// <item>Retryable for idempotent requests (GET, HEAD, OPTIONS, TRACE, PUT, DELETE, a request with <c>Idempotency-Key</c>,
/// a route or a request marked idempotent, or any request when the service allows it): 502, 503, 504, 429, timeouts,
/// broken connections, gRPC UNAVAILABLE (which any gRPC call may retry: it was not processed).</item>
/// </list>
/// </summary>
internal sealed class ResponseClassifier
{
    /// <summary>The request header by which a caller declares a POST or PATCH safe to retry.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const long Http2RefusedStream = 0x7;

    /// <summary>A classifier with the default rules.</summary>
    public static readonly ResponseClassifier Default = new(retryNonIdempotent: false);

    private readonly bool _retryNonIdempotent;
    private readonly bool? _idempotent;
    private readonly ResponseClasses _classes;

    /// <summary>Creates a classifier with the default classes; <paramref name="retryNonIdempotent"/> treats every method as safe to retry.</summary>
    public ResponseClassifier(bool retryNonIdempotent)
        : this(retryNonIdempotent, ResponseClasses.Default, idempotent: null)
    {
    }

    /// <summary>
    /// Creates a classifier with <paramref name="classes"/>; <paramref name="idempotent"/> is a route's word on its
    /// requests (true: every one is idempotent; false: none is, unless it carries <c>Idempotency-Key</c>; null: by method).
    /// </summary>
    internal ResponseClassifier(bool retryNonIdempotent, ResponseClasses classes, bool? idempotent)
    {
        _retryNonIdempotent = retryNonIdempotent;
        _classes = classes;
        _idempotent = idempotent;
    }

    /// <summary>Classifies a response to <paramref name="request"/>.</summary>
    public ResponseClassification Classify(HttpRequestMessage request, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        return Classify(response, IsIdempotent(request), IsGrpc(request));
    }

    /// <summary>
    /// Classifies a response to a request whose idempotency and protocol were settled once as it started
    /// (<see cref="Pipeline.MeshRequest"/>): per-request overrides included, headers not read again per attempt.
    /// </summary>
    internal ResponseClassification Classify(HttpResponseMessage response, bool idempotent, bool grpcRequest)
    {
        var status = (int)response.StatusCode;
        var failure = _classes.FailureStatuses.Contains(status);
        var retryable = _classes.RetryableStatuses.Contains(status);
        if (failure || retryable)
        {
            return new(failure, retryable && idempotent, FailureReasons.Status(status));
        }

        // Trailers-only responses carry grpc-status in the headers; a stream's comes in its trailers (ClassifyTrailers).
        // Only a gRPC call is answered with a gRPC status: other responses are not searched for one.
        return grpcRequest && response.Headers.NonValidated.TryGetValues(GrpcStatus.Header, out var values)
            ? ClassifyGrpc(GrpcStatus.Parse(values), idempotent, grpcRequest)
            : ResponseClassification.Success;
    }

    /// <summary>Classifies an attempt that ended with <paramref name="exception"/> instead of a response.</summary>
    public ResponseClassification Classify(HttpRequestMessage request, Exception exception, bool callerCancelled)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(exception);
        return Classify(exception, callerCancelled, IsIdempotent(request));
    }

    /// <summary>Classifies an attempt that ended with <paramref name="exception"/>, for a request whose idempotency is settled.</summary>
    internal static ResponseClassification Classify(Exception exception, bool callerCancelled, bool idempotent)
    {
        if (callerCancelled)
        {
            return new(true, false, FailureReasons.Cancelled);
        }

        switch (exception)
        {
            case Polly.RateLimiting.RateLimiterRejectedException:
                return new(true, false, FailureReasons.Overloaded);
            case Pipeline.NoEndpointsException:
                return new(true, false, FailureReasons.NoEndpoints);
            case HttpRequestException { InnerException: ConnectRefusedException refused }:
                return new(true, refused.IsRetryable, refused.Reason);
            case TimeoutRejectedException:
                return new(true, idempotent, FailureReasons.Timeout);
            case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
            case OperationCanceledException { InnerException: TimeoutException }: // SocketsHttpHandler's ConnectTimeout
                return new(true, true, FailureReasons.ConnectError);
            case HttpRequestException { InnerException: HttpProtocolException { ErrorCode: Http2RefusedStream } }:
            case HttpProtocolException { ErrorCode: Http2RefusedStream }:
                return new(true, true, FailureReasons.Refused);
            case HttpRequestException or IOException:
                return new(true, idempotent, FailureReasons.ConnectionBroken);
            case OperationCanceledException:
                return new(true, idempotent, FailureReasons.Timeout);
            default:
                return new(true, false, FailureReasons.Error);
        }
    }

    /// <summary>Whether <paramref name="request"/> may be sent again after it may have reached the server.</summary>
    public bool IsIdempotent(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_idempotent is { } routeSays)
        {
            // A route's word wins over the method; an Idempotency-Key still vouches for its one request.
            return routeSays || request.Headers.NonValidated.Contains(IdempotencyKeyHeader);
        }

        if (_retryNonIdempotent)
        {
            return true;
        }

        var method = request.Method;
        if (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options ||
            method == HttpMethod.Trace || method == HttpMethod.Put || method == HttpMethod.Delete)
        {
            return true;
        }

        return request.Headers.NonValidated.Contains(IdempotencyKeyHeader);
    }

    /// <summary>
    /// Whether the verdict on <paramref name="response"/> waits for the end of its body: a gRPC response (HTTP 200,
    /// <c>application/grpc</c>) whose status is not in its headers brings it in its trailers.
    /// </summary>
    internal static bool AwaitsTrailers(HttpResponseMessage response, bool grpcRequest) =>
        grpcRequest &&
        response.StatusCode == HttpStatusCode.OK &&
        !response.Headers.NonValidated.Contains(GrpcStatus.Header) &&
        GrpcStatus.IsGrpc(response);

    /// <summary>
    /// Classifies a gRPC response whose body has ended, by the <c>grpc-status</c> its trailers brought
    /// (<paramref name="status"/>: <see cref="GrpcStatus.Of"/> once the body ended). A stream that ended without one
    /// (null) failed (gRPC clients report INTERNAL); nothing is retryable any more, since the response was under way.
    /// </summary>
    internal ResponseClassification ClassifyTrailers(GrpcStatusCode? status) =>
        ClassifyGrpc(status ?? GrpcStatusCode.Internal, idempotent: false, grpcRequest: false) with { IsRetryable = false };

    /// <summary>Whether <paramref name="request"/> is a gRPC call (<c>content-type: application/grpc*</c>), read without parsing the header.</summary>
    internal static bool IsGrpc(HttpRequestMessage request) =>
        request.Content is { } content &&
        content.Headers.NonValidated.TryGetValues("Content-Type", out var type) &&
        type.ToString().StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    // gRPC's UNAVAILABLE means the call was not processed, so gRPC clients retry it whatever the method (all gRPC is POST).
    private ResponseClassification ClassifyGrpc(GrpcStatusCode code, bool idempotent, bool grpcRequest)
    {
        var failure = _classes.FailureGrpc.Contains(code);
        var retryable = _classes.RetryableGrpc.Contains(code);
        if (!failure && !retryable)
        {
            return ResponseClassification.Success;
        }

        var unavailable = code == GrpcStatusCode.Unavailable;
        return new(failure, retryable && (idempotent || (unavailable && grpcRequest)), unavailable ? FailureReasons.GrpcUnavailable : FailureReasons.GrpcFailure);
    }
}
