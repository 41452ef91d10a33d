using Mesh.Classification;
using Mesh.Timeouts;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// One kind of response the sidecar makes itself: its status, the <c>mesh-proxy-error</c> value naming it, and the
/// one-line explanation of its body. This is the one table of them (README "Sidecar errors" lists the same rows): the
/// requests the sidecar refuses before any service sees them, and the failures of a forwarded request, chosen from the
/// verdict the Mesh pipeline reached (<see cref="MeshFailure"/>) or, for what happened on the client's side, from YARP's.
/// </summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="GrpcStatus">
/// The gRPC status a gRPC caller gets instead (HTTP 200, <c>grpc-status</c> and <c>grpc-message</c>): UNAVAILABLE only
/// where nothing reached the service, so trying again is safe (an upstream error is INTERNAL: the service may have
/// processed the call), DEADLINE_EXCEEDED for a deadline, UNIMPLEMENTED for a service the sidecar does not know.
/// </param>
/// <param name="Name">The <c>mesh-proxy-error</c> header value and the <c>mesh.proxy.error</c> metric label.</param>
/// <param name="Describe">The body's explanation, given the service (or host) concerned.</param>
internal sealed record ProxyError(int Status, GrpcStatusCode GrpcStatus, string Name, Func<string, string> Describe)
{
    // Refused before forwarding.
    public static readonly ProxyError UnknownService = new(404, GrpcStatusCode.Unimplemented, "unknown-service", static s => $"unknown service '{s}'. Add its endpoints under 'Services:{s}:http' in the sidecar's configuration.");
    public static readonly ProxyError NoHost = new(400, GrpcStatusCode.Internal, "no-host", static _ => "the request names no service: send it with 'Host: <service>'.");
    public static readonly ProxyError ConnectRefused = new(405, GrpcStatusCode.Unimplemented, "connect-refused", static s => $"CONNECT to '{s}' is refused: the sidecar opens tunnels only to configured services, and to addresses a local application could reach through interception.");
    public static readonly ProxyError Loop = new(508, GrpcStatusCode.Internal, "loop", static _ => "this request already passed through this sidecar; refusing to forward it again.");
    public static readonly ProxyError AmbiguousLength = new(400, GrpcStatusCode.Internal, "ambiguous-length", static _ => "the request has both Transfer-Encoding and Content-Length.");
    public static readonly ProxyError HeadersTooLarge = new(431, GrpcStatusCode.ResourceExhausted, "headers-too-large", static _ => $"the request's headers are over the sidecar's limit (Mesh:Proxy:MaxRequestHeadersTotalSize bytes, or {RequestHeaderLimits.MaxCount} fields).");
    public static readonly ProxyError ForbiddenAddress = new(403, GrpcStatusCode.PermissionDenied, "forbidden-address", static s => $"'{s}' is, or resolves to, a link-local or metadata address; the sidecar never forwards there.");
    public static readonly ProxyError DeadlinePassed = new(504, GrpcStatusCode.DeadlineExceeded, "deadline-exceeded", static _ => IncomingDeadline.PassedMessage);
    public static readonly ProxyError Unauthorized = new(403, GrpcStatusCode.PermissionDenied, "unauthorized", static s => $"{s} is not allowed to call this service here (Mesh:Proxy:Inbound:Authorization).");

    // A forwarded request that failed: from the pipeline's verdict.
    public static readonly ProxyError NoEndpoints = new(503, GrpcStatusCode.Unavailable, "no-endpoints", static s => $"service '{s}' has no endpoints.");
    public static readonly ProxyError Overloaded = new(503, GrpcStatusCode.Unavailable, "overloaded", static s => $"too many requests to service '{s}' are in flight; try again later.");
    public static readonly ProxyError ConnectError = new(502, GrpcStatusCode.Unavailable, "connect-error", static s => $"could not connect to service '{s}'.");
    public static readonly ProxyError IdentityMismatch = new(502, GrpcStatusCode.Unavailable, "identity-mismatch", static s => $"the endpoints of service '{s}' did not prove the identity it expects (Mesh:Services:{s}:Identity); nothing was sent.");
    public static readonly ProxyError DeadlineExceeded = new(504, GrpcStatusCode.DeadlineExceeded, "deadline-exceeded", static s => $"service '{s}' did not answer before the deadline.");
    public static readonly ProxyError UpstreamError = new(502, GrpcStatusCode.Internal, "upstream-error", static s => $"forwarding to service '{s}' failed.");

    // A forwarded request that failed on the client's side or in YARP, where Mesh's pipeline has no say.
    public static readonly ProxyError RequestBody = new(400, GrpcStatusCode.Internal, "request-body", static _ => "the request body could not be read from the client.");
    public static readonly ProxyError Timeout = new(504, GrpcStatusCode.DeadlineExceeded, "timeout", static s => $"service '{s}' timed out.");

    /// <summary>Gets whether the client's connection is closed after this response (shed load: it should go elsewhere; a refused CONNECT: the client must fail at once, not wait on a tunnel).</summary>
    public bool ClosesConnection => ReferenceEquals(this, Overloaded) || ReferenceEquals(this, ConnectRefused);

    /// <summary>
    /// Chooses the response to a failed forward: YARP's view of what failed on the client's side first, then the
    /// pipeline's verdict, then YARP's own activity timeout; anything else is an upstream error.
    /// </summary>
    public static ProxyError Of(ForwarderError error, Exception? exception)
    {
        if (error is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyCanceled)
        {
            return RequestBody;
        }

        return (exception is null ? null : MeshFailure.ReasonOf(exception)) switch
        {
            FailureReasons.NoEndpoints => NoEndpoints,
            FailureReasons.Overloaded => Overloaded,
            FailureReasons.ForbiddenAddress => ForbiddenAddress,
            FailureReasons.ConnectError => ConnectError,
            FailureReasons.IdentityMismatch => IdentityMismatch,
            FailureReasons.Timeout => DeadlineExceeded,
            _ when error == ForwarderError.RequestTimedOut => Timeout,
            _ => UpstreamError,
        };
    }
}
