using System.Net;
using System.Net.Sockets;
using Mesh.Configuration;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.ProxyHost.Features.Transparent;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.Outbound;

/// <summary>
/// The outbound listener: the local application's calls. The logical service is the request's host (port ignored),
/// from the <c>Host</c> header or an absolute-form target (<c>http_proxy</c> style). Only configured services are
/// forwarded, so the sidecar is never an open proxy; CONNECT is refused here (a tunnel is opened only as a connection's
/// first request, by <see cref="TransparentListener"/>), and so is a request that already passed through this sidecar
/// (a loop). Requests on intercepted connections are routed by where the application was going.
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

    // What the application sent its Host as is what the destination it dialled gets (name-based virtual hosts).
    private readonly MeshTransformer _interceptedTransformer = new(identity.Id, options.TrustedProxyAddresses()) { KeepsHost = true };

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
        if (InterceptedConnection.Of(context) is { } intercepted)
        {
            await InterceptedAsync(context, intercepted, service);
            return;
        }

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

    // A request on an intercepted connection (or a CONNECT tunnel): a configured service named by its Host, else the
    // service its original destination belongs to, as in explicit mode; else the destination itself, as the one endpoint
    // of an implicit service named by the authority: only where the application dialled, never elsewhere.
    private Task InterceptedAsync(HttpContext context, InterceptedConnection intercepted, string host)
    {
        if (host.Length > 0 && catalog.IsKnown(host))
        {
            return forwarder.ForwardAsync(context, forwarder.RouteFor(host, host, registry.CreateHandler), _transformer);
        }

        if (intercepted.Service is { } service)
        {
            return forwarder.ForwardAsync(context, forwarder.RouteFor(service, service, registry.CreateHandler), _transformer);
        }

        var address = intercepted.Address!;
        var authority = context.Request.Host.HasValue ? context.Request.Host.Value.ToLowerInvariant() : address.ToString();
        var name = intercepted.ImplicitServiceName(authority);
        var route = forwarder.RouteFor(name, authority, static (n, state) => state.registry.CreateDynamicHandler(n, ImplicitServices.EndpointOf(state.address), state.authority, MeshDirection.Outbound), (registry, address, authority));
        return forwarder.ForwardAsync(context, route, _interceptedTransformer);
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Warning, "Refused a request for unknown service '{Service}': not forwarded.")]
        public static partial void UnknownService(ILogger logger, string service);

        [LoggerMessage(41, LogLevel.Warning, "Refused a request for '{Host}' that already passed through this sidecar (loop).")]
        public static partial void LoopRefused(ILogger logger, string host);
    }
}
