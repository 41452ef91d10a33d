using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.Telemetry;
using Mesh.Timeouts;

namespace Mesh.ProxyHost.Features.Inbound;

/// <summary>
/// The inbound listener: calls from other services to the local application. It records server-side golden metrics
/// (<c>mesh.direction=inbound</c>), adopts the caller's deadline (<c>mesh-timeout-ms</c>, <c>grpc-timeout</c>) so the
/// application is told how long it has and a request whose deadline has passed is answered 504 without reaching it,
/// and never retries.
/// </summary>
internal sealed class InboundProxy
{
    private readonly MeshForwarder _forwarder;
    private readonly ForwardingRoute _route;
    private readonly MeshTransformer _transformer;
    private readonly TimeProvider _time;
    private readonly string _service;

    public InboundProxy(MeshForwarder forwarder, MeshServiceRegistry registry, ProxyOptions options, TimeProvider time)
    {
        _forwarder = forwarder;
        _transformer = new MeshTransformer(hopId: null, options.TrustedProxyAddresses());
        _time = time;
        _service = options.Inbound.Service;
        _route = forwarder.RouteFor($"inbound:{_service}", _service, _ => registry.CreateStaticHandler(_service, MeshDirection.Inbound, new Uri(options.Inbound.Target), static o =>
        {
            o.Retry.MaxRetries = 0;
            o.Hedging.Enabled = false;
            o.FailureAccrual.Enabled = false;
        }));
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var deadline = IncomingDeadline.Read(headers[DeadlineHeaders.MeshTimeout].ToString(), headers[DeadlineHeaders.GrpcTimeout].ToString(), _time);
        if (!deadline.IsPresent)
        {
            await _forwarder.ForwardAsync(context, _route, _transformer);
            return;
        }

        if (deadline.HasPassed)
        {
            await ProxyErrors.WriteAsync(context, ProxyError.DeadlinePassed, _service, _service);
            return;
        }

        using var scope = deadline.Begin();
        await _forwarder.ForwardAsync(context, _route, _transformer);
    }
}
