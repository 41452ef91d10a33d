using System.Globalization;
using Mesh.Classification;
using Mesh.Pipeline;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// Writes the responses the sidecar makes itself (<see cref="ProxyError"/>): the status, a <c>mesh-proxy-error</c> header
/// naming the reason and a one-line body, so a caller (and an operator reading a tap) can tell a sidecar error from the
/// service's; each is counted in <c>mesh.proxy.errors</c>. A gRPC caller (request <c>content-type: application/grpc*</c>)
/// gets a gRPC response instead, which its library can read: HTTP 200 and nothing but headers (trailers-only), with
/// <c>grpc-status</c> and the same line as <c>grpc-message</c>. A forwarded request that failed is recorded by its
/// pipeline with the status written here (<see cref="UnansweredRequest"/>).
/// </summary>
internal static class ProxyErrors
{
    /// <summary>Answers with <paramref name="error"/>, about <paramref name="subject"/>, counted under <paramref name="service"/> (the <c>mesh.service</c> label) if any.</summary>
    public static Task WriteAsync(HttpContext context, ProxyError error, string subject, string? service = null)
    {
        context.RequestServices.GetService<ProxyErrorMetrics>()?.Record(context, error, service);
        var response = context.Response;
        response.Headers[MeshHeaders.ProxyError] = error.Name;
        if (error.ClosesConnection)
        {
            response.Headers.Connection = "close";
        }

        var message = $"Mesh: {error.Describe(subject)}";
        if (GrpcHeaders.IsGrpc(context.Request.ContentType))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = context.Request.ContentType;
            response.Headers[GrpcHeaders.Status] = ((int)error.GrpcStatus).ToString(CultureInfo.InvariantCulture);
            response.Headers[GrpcHeaders.Message] = GrpcHeaders.EncodeMessage(message);
            return Task.CompletedTask;
        }

        response.StatusCode = error.Status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(message + "\n", context.RequestAborted);
    }

    /// <summary>
    /// Answers a failed forward, unless the response had already begun (then YARP has aborted it: the client never sees a
    /// complete-looking response) or the client has gone; the request is recorded with the status answered, or none.
    /// </summary>
    public static Task WriteAsync(HttpContext context, ForwarderError error, ForwardingRoute route)
    {
        var exception = context.GetForwarderErrorFeature()?.Exception;
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            UnansweredRequest.Answer(exception, status: 0);
            return Task.CompletedTask;
        }

        var answer = ProxyError.Of(error, exception);
        if (GrpcHeaders.IsGrpc(context.Request.ContentType))
        {
            UnansweredRequest.Answer(exception, StatusCodes.Status200OK, (int)answer.GrpcStatus);
        }
        else
        {
            UnansweredRequest.Answer(exception, answer.Status);
        }

        return WriteAsync(context, answer, route.Service, route.MetricName);
    }
}
