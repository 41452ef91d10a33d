using System.Net;
using System.Net.Http.Headers;
using Polly.Timeout;

namespace Mesh.Classification;

/// <summary>
/// Classifies an attempt once; every policy reads the result.
/// <list type="bullet">
/// <item>Failure: 5xx, connection failures, timeouts, and the gRPC statuses UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, DATA_LOSS, RESOURCE_EXHAUSTED,
/// read from a trailers-only response's headers at once, or from the trailers when the body ends (<see cref="ClassifyTrailers"/>).</item>
/// <item>Retryable for any method: nothing was sent (connect failure or timeout, REFUSED_STREAM).</item>
/// <item>Retryable for idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), or when the request carries
/// <c>Idempotency-Key</c>, or when the service allows it: 502, 503, 504, 429, timeouts, broken connections, gRPC UNAVAILABLE.</item>
/// </list>
/// </summary>
public sealed class ResponseClassifier
{
    /// <summary>The request header by which a caller declares a POST or PATCH safe to retry.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const long Http2RefusedStream = 0x7;

    /// <summary>A classifier with the default rules.</summary>
    public static readonly ResponseClassifier Default = new(retryNonIdempotent: false);

    private readonly bool _retryNonIdempotent;

    /// <summary>Creates a classifier; <paramref name="retryNonIdempotent"/> treats every method as safe to retry.</summary>
    public ResponseClassifier(bool retryNonIdempotent) => _retryNonIdempotent = retryNonIdempotent;

    /// <summary>Classifies a response to <paramref name="request"/>.</summary>
    public ResponseClassification Classify(HttpRequestMessage request, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            var retryable = status is 502 or 503 or 504 && IsIdempotent(request);
            return new(true, retryable, FailureReasons.ServerError(status));
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new(false, IsIdempotent(request), FailureReasons.TooManyRequests);
        }

        return ClassifyGrpc(request, response.Headers);
    }

    /// <summary>Classifies an attempt that ended with <paramref name="exception"/> instead of a response.</summary>
    public ResponseClassification Classify(HttpRequestMessage request, Exception exception, bool callerCancelled)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(exception);
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
                return new(true, IsIdempotent(request), FailureReasons.Timeout);
            case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
            case OperationCanceledException { InnerException: TimeoutException }: // SocketsHttpHandler's ConnectTimeout
                return new(true, true, FailureReasons.ConnectError);
            case HttpRequestException { InnerException: HttpProtocolException { ErrorCode: Http2RefusedStream } }:
            case HttpProtocolException { ErrorCode: Http2RefusedStream }:
                return new(true, true, FailureReasons.Refused);
            case HttpRequestException or IOException:
                return new(true, IsIdempotent(request), FailureReasons.ConnectionBroken);
            case OperationCanceledException:
                return new(true, IsIdempotent(request), FailureReasons.Timeout);
            default:
                return new(true, false, FailureReasons.Error);
        }
    }

    /// <summary>Whether <paramref name="request"/> may be sent again after it may have reached the server.</summary>
    public bool IsIdempotent(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
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
    internal static bool AwaitsTrailers(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.OK &&
        !response.Headers.NonValidated.Contains(GrpcStatus.Header) &&
        GrpcStatus.IsGrpc(response);

    /// <summary>
    /// Classifies a gRPC response whose body has ended, by the <c>grpc-status</c> of its trailers. A stream that ended
    /// without one failed (gRPC clients report INTERNAL); nothing is retryable any more, since the response was under way.
    /// </summary>
    internal ResponseClassification ClassifyTrailers(HttpRequestMessage request, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        var code = response.TrailingHeaders.NonValidated.TryGetValues(GrpcStatus.Header, out var values)
            ? GrpcStatus.Parse(values)
            : GrpcStatusCode.Internal;
        return ClassifyGrpc(request, code) with { IsRetryable = false };
    }

    private ResponseClassification ClassifyGrpc(HttpRequestMessage request, HttpResponseHeaders headers)
    {
        // Trailers-only responses carry grpc-status in the headers; a stream's comes in its trailers (ClassifyTrailers).
        return headers.NonValidated.TryGetValues(GrpcStatus.Header, out var values)
            ? ClassifyGrpc(request, GrpcStatus.Parse(values))
            : ResponseClassification.Success;
    }

    private ResponseClassification ClassifyGrpc(HttpRequestMessage request, GrpcStatusCode code) => code switch
    {
        GrpcStatusCode.Unavailable => new(true, IsIdempotent(request) || IsGrpc(request), FailureReasons.GrpcUnavailable),
        GrpcStatusCode.DeadlineExceeded or GrpcStatusCode.Internal or GrpcStatusCode.DataLoss or GrpcStatusCode.ResourceExhausted =>
            new(true, false, FailureReasons.GrpcFailure),
        _ => ResponseClassification.Success,
    };

    // gRPC's UNAVAILABLE means the call was not processed, so gRPC clients retry it whatever the method (all gRPC is POST).
    private static bool IsGrpc(HttpRequestMessage request) =>
        request.Content?.Headers.ContentType?.MediaType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
}
