using System.Collections.Concurrent;
using System.Net;
using Mesh.Pipeline;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.Telemetry;
using Mesh.Upstream;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// Forwards a request with YARP (headers, streaming bodies, trailers, upgrades) through the Mesh pipeline of its
/// service: YARP builds the request for <c>http://{service}/...</c> and hands it to the service's
/// <see cref="MeshHttpHandler"/>, which balances, retries, times out and measures it exactly as in-process.
/// </summary>
internal sealed class MeshForwarder : IDisposable
{
    private static readonly ForwarderRequestConfig Http1 = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = TimeSpan.FromMinutes(10),
    };

    // An HTTP/2 request (gRPC) goes on as cleartext HTTP/2 with prior knowledge.
    private static readonly ForwarderRequestConfig Http2 = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = TimeSpan.FromMinutes(10),
    };

    private const string KestrelRenamedContentLength = "X-Content-Length";

    private readonly IHttpForwarder _forwarder;
    private readonly RequestHeaderLimits _headerLimits;
    private readonly ConnectionPools _connections;

    // Unknown hosts (when allowed) connect only after their resolved addresses pass ForbiddenAddresses.
    private readonly ConnectionPools _unknownHostConnections;

    // Meshed services (an identity to prove: mutual TLS, HTTP/2), when the sidecar has an identity of its own.
    private readonly MeshedConnectionPools? _meshedConnections;
    private readonly DefaultServiceIdentity? _defaultIdentity;
    private readonly ConcurrentDictionary<string, ForwardingRoute> _routes = new(StringComparer.OrdinalIgnoreCase);

    public MeshForwarder(IHttpForwarder forwarder, ProxyOptions proxy, MeshServiceRegistry registry, RequestHeaderLimits headerLimits, UpstreamConnector? connector = null, MeshTlsConnector? tls = null, DefaultServiceIdentity? defaultIdentity = null, TimeProvider? time = null)
    {
        _forwarder = forwarder;
        _headerLimits = headerLimits;
        _connections = new ConnectionPools(idle => Connections(connector?.Connect, proxy.ConnectTimeout, idle));
        var unknownHosts = new UnknownHostConnector(Dns.GetHostAddressesAsync, connector);
        _unknownHostConnections = new ConnectionPools(idle => Connections(unknownHosts.ConnectAsync, proxy.ConnectTimeout, idle));
        if (tls is not null && defaultIdentity is not null)
        {
            _meshedConnections = new MeshedConnectionPools(expected => new ConnectionPools(idle => Connections((c, t) => tls.ConnectAsync(c, expected, t), proxy.ConnectTimeout, idle)), time ?? TimeProvider.System);
            _defaultIdentity = defaultIdentity;
        }

        // An evicted dynamic service's route goes with it; a later request for the host makes both afresh.
        registry.Evicted += service => _routes.TryRemove(service.Name, out _);
    }

    /// <summary>
    /// Gets (or makes, once per <paramref name="key"/>) the route to <paramref name="service"/>: the client that sends
    /// through the service's Mesh pipeline, and the logical destination YARP builds each request's URI from.
    /// </summary>
    public ForwardingRoute RouteFor(string key, string service, Func<string, MeshHttpHandler> createHandler, bool unknownHost = false) =>
        _routes.TryGetValue(key, out var route) ? route : RouteFor(key, service, static (name, create) => create(name), createHandler, unknownHost);

    /// <summary>As <see cref="RouteFor(string, string, Func{string, MeshHttpHandler}, bool)"/>, with state for the handler's making instead of a closure per call.</summary>
    public ForwardingRoute RouteFor<TState>(string key, string service, Func<string, TState, MeshHttpHandler> createHandler, TState state, bool unknownHost = false) =>
        _routes.TryGetValue(key, out var route) ? route : _routes.GetOrAdd(key, static (name, state) =>
        {
            var handler = state.createHandler(name, state.state);
            var service = handler.Service;
            var self = state.self;
            Func<TimeSpan> idleTimeout = () => service.Policy.Options.Upstream.IdleTimeout;

            // The sidecar answers a failed request itself (ProxyErrors): it is recorded with that answer's status.
            handler.AnswersFailures = true;
            if (state.unknownHost || service.Direction != MeshDirection.Outbound || self._meshedConnections is null)
            {
                handler.InnerHandler = new UpstreamHandler(state.unknownHost ? self._unknownHostConnections : self._connections, idleTimeout);
                return new ForwardingRoute(state.service, new HttpMessageInvoker(handler, disposeHandler: false), service.MetricName);
            }

            // A configured service may be meshed (now or after a reload): its identity decides per request.
            var identity = new ServiceIdentityResolver(service, self._defaultIdentity!);
            handler.InnerHandler = new MeshedUpstreamHandler(self._connections, self._meshedConnections, identity, idleTimeout);
            return new ForwardingRoute(state.service, new HttpMessageInvoker(handler, disposeHandler: false), service.MetricName) { Identity = identity };
        }, (self: this, service, createHandler, state, unknownHost));

    private static SocketsHttpHandler Connections(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect, TimeSpan connectTimeout, TimeSpan idleTimeout) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = connectTimeout,
        PooledConnectionIdleTimeout = idleTimeout,
        ActivityHeadersPropagator = null,
        ConnectCallback = connect,
    };

    /// <summary>Forwards the request; with <paramref name="asHttp1"/>, as HTTP/1.1 whatever the caller spoke (a peer's <c>mesh-orig-proto</c>).</summary>
    public async Task ForwardAsync(HttpContext context, ForwardingRoute route, HttpTransformer transformer, bool asHttp1 = false)
    {
        // Kestrel lets Transfer-Encoding win over a Content-Length sent with it, renaming the latter X-Content-Length.
        // Such a request "ought to be handled as an error" (RFC 9112 §6.3, a request-smuggling sign): refused, as Envoy does.
        var headers = context.Request.Headers;
        if (_headerLimits.Exceeded(headers))
        {
            await ProxyErrors.WriteAsync(context, ProxyError.HeadersTooLarge, route.Service, route.MetricName);
            return;
        }

        if (headers.ContainsKey(HeaderNames.TransferEncoding) && headers.ContainsKey(KestrelRenamedContentLength))
        {
            await ProxyErrors.WriteAsync(context, ProxyError.AmbiguousLength, route.Service, route.MetricName);
            return;
        }

        // A meshed service is called over HTTP/2 (mutual TLS, ALPN h2) whatever the caller spoke.
        var config = !asHttp1 && (HttpProtocol.IsHttp2(context.Request.Protocol) || route.Identity?.Expected is not null) ? Http2 : Http1;
        var error = await _forwarder.SendAsync(context, route.DestinationPrefix, route.Invoker, config, transformer);
        if (error != ForwarderError.None)
        {
            await ProxyErrors.WriteAsync(context, error, route);
        }
    }

    public void Dispose()
    {
        foreach (var route in _routes.Values)
        {
            route.Invoker.Dispose();
        }

        _connections.Dispose();
        _unknownHostConnections.Dispose();
        _meshedConnections?.Dispose();
    }
}
