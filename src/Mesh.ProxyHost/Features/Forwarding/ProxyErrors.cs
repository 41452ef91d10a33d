using Yarp.ReverseProxy.Forwarder;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// Writes the responses the sidecar makes itself (<see cref="ProxyError"/>): the status, a <c>mesh-proxy-error</c> header
/// naming the reason and a one-line body, so a caller (and an operator reading a tap) can tell a sidecar error from the
/// service's; each is counted in <c>mesh.proxy.errors</c>.
/// </summary>
internal static class ProxyErrors
{
    public static Task WriteAsync(HttpContext context, ProxyError error, string subject)
    {
        context.RequestServices.GetService<ProxyErrorMetrics>()?.Record(context, error.Name);
        var response = context.Response;
        response.StatusCode = error.Status;
        response.Headers[MeshHeaders.ProxyError] = error.Name;
        if (error.ClosesConnection)
        {
            response.Headers.Connection = "close";
        }

        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync($"Mesh: {error.Describe(subject)}\n", context.RequestAborted);
    }

    /// <summary>Answers a failed forward, unless the response had already begun (then YARP has aborted it: the client never sees a complete-looking response).</summary>
    public static Task WriteAsync(HttpContext context, ForwarderError error, string service) =>
        context.Response.HasStarted || context.RequestAborted.IsCancellationRequested
            ? Task.CompletedTask
            : WriteAsync(context, ProxyError.Of(error, context.GetForwarderErrorFeature()?.Exception), service);
}
