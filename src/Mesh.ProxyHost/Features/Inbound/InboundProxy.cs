using Mesh.Configuration;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Authorization;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.ProxyHost.Features.Identity;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.ProxyHost.Features.Transparent;
using Mesh.Telemetry;
using Mesh.Timeouts;

namespace Mesh.ProxyHost.Features.Inbound;

/// <summary>
/// The inbound listener: calls from other services to the local application. It records server-side golden metrics
/// (<c>mesh.direction=inbound</c>, with the caller's <c>tls</c> and <c>client_id</c> when the sidecar has an identity),
/// hands the application the caller's verified SPIFFE ID (<c>mesh-client-id</c>, never one a caller sent), refuses a
/// plaintext caller under <c>Mesh:Proxy:Inbound:Tls=Strict</c> and a caller authorization denies (403), adopts the
/// caller's deadline (<c>mesh-timeout-ms</c>, <c>grpc-timeout</c>) so the application is told how long it has and a
/// request whose deadline has passed is answered 504 without reaching it, restores the HTTP/1.x a peer sidecar carried
/// over HTTP/2 (<c>mesh-orig-proto</c>), and never retries. A connection netfilter redirected goes to the application's
/// port it was sent to, on loopback.
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
    private readonly bool _strict;
    private readonly InboundRefusals _refusals;
    private readonly InboundAuthorizer _authorizer;

    public InboundProxy(MeshForwarder forwarder, MeshServiceRegistry registry, ProxyOptions options, TimeProvider time, InboundAuthorizer authorizer, InboundRefusals refusals, IdentitySource? identity = null)
    {
        _forwarder = forwarder;
        _registry = registry;
        _authorizer = authorizer;
        _transformer = new MeshTransformer(hopId: null, options.TrustedProxyAddresses(), knowsCallers: identity is not null);
        _time = time;
        _service = options.Inbound.Service;
        _strict = options.Inbound.IsStrict;
        _refusals = refusals;
        _target = new Uri(options.Inbound.Target);
        _route = forwarder.RouteFor($"inbound:{_service}", _service, _ => registry.CreateStaticHandler(_service, MeshDirection.Inbound, _target, NeverRetry));
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var peer = InboundPeers.Of(context);
        var intercepted = InterceptedConnection.Of(context);
        if (_strict && !peer.Tls)
        {
            // Strict: a caller without mutual TLS gets no answer; its connection is closed. The inbound port refuses such a
            // connection before reading it (TransparentListener); this is the backstop for any other way in.
            _refusals.Record(InboundRefusals.Plaintext, context.Connection.RemoteIpAddress is { } ip ? new System.Net.IPEndPoint(ip, context.Connection.RemotePort) : null, "a request without mutual TLS, and Mesh:Proxy:Inbound:Tls is Strict");
            context.Abort();
            return;
        }

        // Authorization, before anything reaches the application, by the application's port the request is for (the one an
        // intercepted connection was sent to, else the target's): a denied caller gets 403 (gRPC: PERMISSION_DENIED).
        if (!_authorizer.Allows(intercepted?.Address?.Port ?? _target.Port, context.Request.Path.Value ?? "/", peer.ClientId, out _))
        {
            await ProxyErrors.WriteAsync(context, ProxyError.Unauthorized, peer.ClientId is { } id ? $"the client '{id}'" : "an unauthenticated client", _service);
            return;
        }

        var headers = context.Request.Headers;
        var http1 = HttpProtocol.IsHttp2(context.Request.Protocol) && ForwardsAsHttp1(headers[MeshHeaders.OriginalProtocol].ToString(), peer.Tls, context.Request.ContentType);
        var deadline = IncomingDeadline.Read(headers[DeadlineHeaders.MeshTimeout].ToString(), headers[DeadlineHeaders.GrpcTimeout].ToString(), _time);
        if (!deadline.IsPresent)
        {
            await _forwarder.ForwardAsync(context, RouteOf(intercepted), _transformer, http1);
            return;
        }

        if (deadline.HasPassed)
        {
            await ProxyErrors.WriteAsync(context, ProxyError.DeadlinePassed, _service, _service);
            return;
        }

        using var scope = deadline.Begin();
        await _forwarder.ForwardAsync(context, RouteOf(intercepted), _transformer, http1);
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
    private ForwardingRoute RouteOf(InterceptedConnection? connection)
    {
        if (connection is not { Address: { } destination } intercepted || (_target.IsLoopback && destination.Port == _target.Port))
        {
            return _route;
        }

        var name = intercepted.ImplicitServiceName(_service);
        return _forwarder.RouteFor(name, _service, static (n, state) => state.registry.CreateDynamicHandler(n, new Uri($"http://127.0.0.1:{state.port}"), state.service, MeshDirection.Inbound, NeverRetry), (registry: _registry, port: destination.Port, service: _service));
    }

    // An HTTP/2 request the application gets as HTTP/1.1: a peer sidecar's call its caller sent in HTTP/1.x
    // (mesh-orig-proto), or, over TLS, a client that chose h2 by ALPN (a browser, curl) for a call that is not gRPC: the
    // application behind the inbound listener speaks HTTP/1.1, and HTTP/2 only for gRPC (as ListenHttp2 assumes).
    private static bool ForwardsAsHttp1(string originalProtocol, bool tls, string? contentType) =>
        originalProtocol.Length > 0
            ? originalProtocol.StartsWith("HTTP/1", StringComparison.OrdinalIgnoreCase)
            : tls && !GrpcHeaders.IsGrpc(contentType);
}
