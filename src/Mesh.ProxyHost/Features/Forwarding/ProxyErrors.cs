using System.Net.Sockets;
using Mesh.Pipeline;
using Polly.Timeout;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// The responses the sidecar makes itself, each with a status, a <c>mesh-proxy-error</c> header naming the reason
/// and a one-line body, so a caller (and an operator reading a tap) can tell a sidecar error from the service's.
/// </summary>
internal static class ProxyErrors
{
    // Shed load: the client is told to go elsewhere, and its connection is closed so it reconnects (perhaps to another replica).
    private static Task Overloaded(HttpContext context, string service)
    {
        context.Response.Headers.Connection = "close";
        return WriteAsync(context, 503, "overloaded", $"too many requests to service '{service}' are in flight; try again later.");
    }

    public static Task WriteAsync(HttpContext context, int status, string reason, string message)
    {
        context.RequestServices.GetService<ProxyErrorMetrics>()?.Record(context, reason);
        context.Response.StatusCode = status;
        context.Response.Headers[MeshHeaders.ProxyError] = reason;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync($"Mesh: {message}\n", context.RequestAborted);
    }

    /// <summary>Answers a failed forward, unless the response had already begun (then YARP has aborted it: the client never sees a complete-looking response).</summary>
    public static Task WriteAsync(HttpContext context, ForwarderError error, string service)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        var exception = context.GetForwarderErrorFeature()?.Exception;
        return (error, exception) switch
        {
            (_, Polly.RateLimiting.RateLimiterRejectedException) => Overloaded(context, service),
            (_, NoEndpointsException) => WriteAsync(context, 503, "no-endpoints", $"service '{service}' has no endpoints."),
            (_, TimeoutRejectedException) => WriteAsync(context, 504, "deadline-exceeded", $"service '{service}' did not answer before the deadline."),
            (_, HttpRequestException { InnerException: ForbiddenAddressException }) =>
                WriteAsync(context, 403, "forbidden-address", $"'{service}' resolves to a link-local or metadata address; the sidecar never forwards there."),
            (_, HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } or HttpRequestException { InnerException: SocketException }
                or OperationCanceledException { InnerException: TimeoutException }) =>
                WriteAsync(context, 502, "connect-error", $"could not connect to service '{service}'."),
            (ForwarderError.RequestBodyClient or ForwarderError.RequestBodyCanceled, _) =>
                WriteAsync(context, 400, "request-body", "the request body could not be read from the client."),
            (ForwarderError.RequestTimedOut, _) => WriteAsync(context, 504, "timeout", $"service '{service}' timed out."),
            _ => WriteAsync(context, 502, "upstream-error", $"forwarding to service '{service}' failed ({error})."),
        };
    }
}
