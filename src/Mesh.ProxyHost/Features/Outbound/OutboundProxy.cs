using System.Net;
using System.Net.Sockets;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Forwarding;

namespace Mesh.ProxyHost.Features.Outbound;

/// <summary>
/// The outbound listener: the local application's calls. The logical service is the request's host (port ignored),
/// from the <c>Host</c> header or an absolute-form target (<c>http_proxy</c> style). Only configured services are
/// forwarded, so the sidecar is never an open proxy; CONNECT is refused, and so is a request that already passed
/// through this sidecar (a loop).
/// </summary>
internal sealed partial class OutboundProxy(
    MeshForwarder forwarder,
    ServiceCatalog catalog,
    MeshServiceRegistry registry,
    SidecarIdentity identity,
    ProxyOptions options,
    ILogger<OutboundProxy> logger)
{
    private readonly MeshTransformer _transformer = new(identity.Id, options.TrustedProxyAddresses());

    // An unknown host is a dynamic service whose one endpoint is the host itself (port 80 unless it names one).
    private readonly Func<string, Pipeline.MeshHttpHandler> _unknownHost = host => registry.CreateDynamicHandler(host, new Uri($"http://{host}"));

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsConnect(request.Method))
        {
            await ProxyErrors.WriteAsync(context, ProxyError.ConnectRefused, request.Host.Value ?? "");
            return;
        }

        if (request.Headers.TryGetValue(MeshHeaders.Hop, out var hops) && hops.Contains(identity.Id))
        {
            Log.LoopRefused(logger, request.Host.Value ?? "");
            await ProxyErrors.WriteAsync(context, ProxyError.Loop, request.Host.Value ?? "");
            return;
        }

        var service = request.Host.Host.ToLowerInvariant();
        if (service.Length == 0)
        {
            await ProxyErrors.WriteAsync(context, ProxyError.NoHost, "");
            return;
        }

        if (!catalog.IsKnown(service))
        {
            if (!options.Outbound.AllowUnknownHosts)
            {
                Log.UnknownService(logger, service);
                await ProxyErrors.WriteAsync(context, ProxyError.UnknownService, service, service);
                return;
            }

            // Opted in: the host is resolved through DNS, port included (services are named by host alone); never to
            // link-local addresses or cloud metadata services: a literal is refused here, a name once resolved
            // (UnknownHostConnector).
            if (IPAddress.TryParse(request.Host.Host.Trim('[', ']'), out var ip) && ForbiddenAddresses.Contains(ip))
            {
                await ProxyErrors.WriteAsync(context, ProxyError.ForbiddenAddress, request.Host.Host);
                return;
            }

            service = request.Host.Value!.ToLowerInvariant();
            await forwarder.ForwardAsync(context, forwarder.RouteFor(service, service, _unknownHost, unknownHost: true), _transformer);
            return;
        }

        await forwarder.ForwardAsync(context, forwarder.RouteFor(service, service, registry.CreateHandler), _transformer);
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Warning, "Refused a request for unknown service '{Service}': not forwarded.")]
        public static partial void UnknownService(ILogger logger, string service);

        [LoggerMessage(41, LogLevel.Warning, "Refused a request for '{Host}' that already passed through this sidecar (loop).")]
        public static partial void LoopRefused(ILogger logger, string host);
    }
}
