using Mesh.ProxyHost.Configuration;
using Mesh.Configuration;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.ProxyHost.Features.Transparent;
using Mesh.Telemetry;
using Mesh.Timeouts;

namespace Mesh.ProxyHost.Features.Inbound;

/// <summary>
/// The inbound listener: calls from other services to the local application. It records server-side golden metrics
/// (<c>mesh.direction=inbound</c>), adopts the caller's deadline (<c>mesh-timeout-ms</c>, <c>grpc-timeout</c>) so the
/// application is told how long it has and a request whose deadline has passed is answered 504 without reaching it,
/// and never retries. A connection netfilter redirected goes to the application's port it was sent to, on loopback.
/// </summary>
internal sealed class InboundProxy
{
    private readonly MeshForwarder _forwarder;
    private readonly ForwardingRoute _route;
    private readonly MeshTransformer _transformer;
    private readonly TimeProvider _time;
    private readonly string _service;

    private readonly MeshServiceRegistry _registry;
    private readonly Uri _target;

    public InboundProxy(MeshForwarder forwarder, MeshServiceRegistry registry, ProxyOptions options, TimeProvider time)
    {
        _forwarder = forwarder;
        _registry = registry;
        _transformer = new MeshTransformer(hopId: null, options.TrustedProxyAddresses());
        _time = time;
        _service = options.Inbound.Service;
        _target = new Uri(options.Inbound.Target);
        _route = forwarder.RouteFor($"inbound:{_service}", _service, _ => registry.CreateStaticHandler(_service, MeshDirection.Inbound, _target, NeverRetry));
    }

    // Inbound, the application is the only endpoint: nothing to retry on, hedge to or eject.
    private static void NeverRetry(MeshServiceOptions o)
    {
        o.Retry.MaxRetries = 0;
        o.Hedging.Enabled = false;
        o.FailureAccrual.Enabled = false;
    }

    // A redirected connection goes to the port it was sent to, on loopback: the application keeps its own ports. The
    // configured target's port keeps its route; another port is a dynamic service (bounded, evicted when idle).
    private ForwardingRoute RouteOf(HttpContext context)
    {
        if (InterceptedConnection.Of(context) is not { Address: { } destination } intercepted || (_target.IsLoopback && destination.Port == _target.Port))
        {
            return _route;
        }

        var name = intercepted.ImplicitServiceName(_service);
        return _forwarder.RouteFor(name, _service, static (n, state) => state.registry.CreateDynamicHandler(n, new Uri($"http://127.0.0.1:{state.port}"), state.service, MeshDirection.Inbound, NeverRetry), (registry: _registry, port: destination.Port, service: _service));
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var deadline = IncomingDeadline.Read(headers[DeadlineHeaders.MeshTimeout].ToString(), headers[DeadlineHeaders.GrpcTimeout].ToString(), _time);
        if (!deadline.IsPresent)
        {
            await _forwarder.ForwardAsync(context, RouteOf(context), _transformer);
            return;
        }

        if (deadline.HasPassed)
        {
            await ProxyErrors.WriteAsync(context, ProxyError.DeadlinePassed, _service);
            return;
        }

        using var scope = deadline.Begin();
        await _forwarder.ForwardAsync(context, RouteOf(context), _transformer);
    }
}
