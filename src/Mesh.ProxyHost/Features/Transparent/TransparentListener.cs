using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Configuration;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Detection;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.ProxyHost.Features.Inbound;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.ProxyHost.Features.Tcp;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// The connection middleware of the outbound and inbound listeners: one port per direction, whatever the protocol.
/// A connection netfilter redirected (it has an original destination) is refused if it would loop back to the sidecar,
/// then, unless its port is opaque or its destination known to speak first, its first bytes are peeked at for up to
/// <c>Mesh:Proxy:DetectTimeout</c>: HTTP/1 goes on to Kestrel's HTTP/1 pipeline, HTTP/2 to the h2c pipeline
/// (<see cref="Http2Handover"/>), anything else (TLS, a binary protocol, silence) is opaque TCP
/// (<see cref="TcpForwarder"/>; inbound, <see cref="InboundTcp"/>). A connection that was not redirected is explicit
/// mode: an HTTP/2 preface goes to h2c, anything else to HTTP/1, and on the outbound listener a <c>CONNECT</c> opens a
/// tunnel handled like an intercepted connection to the authority it names (a configured service, an address, or with
/// <c>Mesh:Proxy:Outbound:AllowUnknownHosts</c> a host name resolved once). On the inbound listener of a sidecar with an
/// identity, mutual TLS is told apart first (TransparentListener.MutualTls.cs).
/// </summary>
internal sealed partial class TransparentListener(
    ProxyOptions options,
    Listeners listeners,
    ServiceCatalog catalog,
    DestinationIndex index,
    MeshServiceRegistry registry,
    ServerFirstDestinations serverFirst,
    Http2Handover http2,
    TcpForwarder tcp,
    InboundTcp inboundTcp,
    InboundRefusals refusals,
    HostResolver resolver,
    ProxyErrorMetrics errors,
    TimeProvider time,
    ILogger<TransparentListener> logger)
{
    private static readonly ReadOnlyMemory<byte> ConnectionEstablished = "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray();

    private readonly PortSet _opaquePorts = PortSet.TryParse(options.OpaquePorts, out var ports, out _) ? ports : PortSet.Empty;

    /// <summary>The outbound listener's middleware, in front of its HTTP/1 pipeline <paramref name="http1"/>.</summary>
    public ConnectionDelegate Outbound(ConnectionDelegate http1) => connection =>
        OriginalDestinationOf(connection) is { } destination ? OutboundInterceptedAsync(connection, http1, destination) : ExplicitAsync(connection, http1);

    /// <summary>
    /// The inbound listener's middleware, in front of its HTTP/1 pipeline <paramref name="next"/>; with
    /// <paramref name="tls"/> (the sidecar has an identity), in front of its mutual TLS, and the HTTP/1 pipeline is the
    /// chain's <see cref="InboundTlsChain.Plaintext"/>.
    /// </summary>
    public ConnectionDelegate Inbound(ConnectionDelegate next, InboundTlsChain? tls = null)
    {
        if (tls is null)
        {
            return connection => OriginalDestinationOf(connection) is { } destination
                ? InterceptedAsync(connection, next, new InterceptedConnection(MeshDirection.Inbound, destination, service: null))
                : ExplicitInboundAsync(connection, next);
        }

        tls.Terminate = next;
        var http1 = tls.Plaintext;
        return connection => OriginalDestinationOf(connection) is { } destination
            ? InterceptedAsync(connection, http1, new InterceptedConnection(MeshDirection.Inbound, destination, service: null), tls)
            : MutualTlsAsync(connection, http1, tls, intercepted: null);
    }

    private static IPEndPoint? OriginalDestinationOf(ConnectionContext connection) =>
        connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket ? OriginalDestination.Of(socket) : null;

    private async Task OutboundInterceptedAsync(ConnectionContext connection, ConnectionDelegate http1, IPEndPoint destination) =>
        await InterceptedAsync(connection, http1, new InterceptedConnection(MeshDirection.Outbound, destination, await index.ServiceOfAsync(destination)));

    private Task InterceptedAsync(ConnectionContext connection, ConnectionDelegate http1, InterceptedConnection intercepted, InboundTlsChain? tls = null)
    {
        if (listeners.IsOwn(intercepted.Address!))
        {
            Log.LoopRefused(logger, intercepted.Direction, intercepted.Display);
            errors.Record(intercepted.Direction, ProxyError.Loop.Name);
            TcpForwarder.Reset(connection);
            return Task.CompletedTask;
        }

        if (tls is not null)
        {
            intercepted.AttachTo(connection);
            return MutualTlsAsync(connection, http1, tls, intercepted);
        }

        return DispatchAsync(connection, http1, intercepted);
    }

    // Opaque ports and remembered destinations skip detection; the rest are told by their first bytes.
    private async Task DispatchAsync(ConnectionContext connection, ConnectionDelegate http1, InterceptedConnection intercepted)
    {
        intercepted.AttachTo(connection);
        if (intercepted.Address is { } address)
        {
            if (_opaquePorts.Contains(address.Port))
            {
                await ForwardTcpAsync(connection, intercepted, TcpDetection.OpaquePort);
                return;
            }

            if (serverFirst.Contains(address))
            {
                await ForwardTcpAsync(connection, intercepted, TcpDetection.Remembered);
                return;
            }
        }

        await RouteAsync(connection, http1, intercepted, await ProtocolPeek.DetectAsync(connection.Transport.Input, options.DetectTimeout, time));
    }

    // Where an intercepted connection goes by what its first bytes said.
    private async Task RouteAsync(ConnectionContext connection, ConnectionDelegate http1, InterceptedConnection intercepted, Detection.Detection detection)
    {
        switch (detection)
        {
            case { Kind: DetectionKind.Closed }:
                return;
            case { Kind: DetectionKind.TimedOut }:
                // Silence: a server-first protocol, perhaps. Its server speaking first is what marks the destination.
                var remember = intercepted.Address is { } silent ? () => Remember(silent) : (Action?)null;
                await ForwardTcpAsync(connection, intercepted, TcpDetection.Timeout, remember);
                return;
            case { Protocol: DetectedProtocol.Http1, IsConnect: false }:
                await http1(connection);
                return;
            case { Protocol: DetectedProtocol.Http2 }:
                await http2.ServeAsync(connection);
                return;
            case { Protocol: DetectedProtocol.Tls }:
                await ForwardTcpAsync(connection, intercepted, TcpDetection.Tls);
                return;
            default:
                // A binary protocol; or a CONNECT the application sent to the proxy it dialled, which is that proxy's.
                await ForwardTcpAsync(connection, intercepted, TcpDetection.NotHttp);
                return;
        }
    }

    private void Remember(IPEndPoint destination)
    {
        serverFirst.Remember(destination);
        Log.ServerFirst(logger, destination.ToString());
    }

    // Inbound: the application's own port, on loopback, as authorization allows (the caller proved nothing). Outbound:
    // the service the destination belongs to, or the address itself.
    private Task ForwardTcpAsync(ConnectionContext connection, InterceptedConnection intercepted, string detection, Action? serverSpokeFirst = null) =>
        intercepted.Direction == MeshDirection.Inbound
            ? inboundTcp.ForwardAsync(connection, intercepted.Address!.Port, intercepted.Address.ToString(), detection, clientId: null, serverSpokeFirst)
            : tcp.ForwardAsync(connection, TcpDestinationOf(intercepted), detection, serverSpokeFirst);

    private TcpDestination TcpDestinationOf(InterceptedConnection intercepted) =>
        intercepted.Service is { } service
            ? new TcpDestination(MeshDirection.Outbound, service, intercepted.Display, null, registry.Get(service))
            : new TcpDestination(MeshDirection.Outbound, registry.MetricNameFor(intercepted.Display), intercepted.Display, intercepted.Address, null);

    // An explicit inbound connection (a caller that dialled the sidecar's inbound port): h2c or HTTP/1.
    private async Task ExplicitInboundAsync(ConnectionContext connection, ConnectionDelegate http1)
    {
        var detection = await ProtocolPeek.DetectAsync(connection.Transport.Input, options.DetectTimeout, time);
        await ExplicitHttpAsync(connection, http1, detection);
    }

    private Task ExplicitHttpAsync(ConnectionContext connection, ConnectionDelegate http1, Detection.Detection detection) => detection switch
    {
        { Kind: DetectionKind.Closed } => Task.CompletedTask,
        { Protocol: DetectedProtocol.Http2 } => http2.ServeAsync(connection),

        // HTTP/1 (or not yet told: Kestrel's own limits and its answer to a bad request take over).
        _ => http1(connection),
    };

    private async Task ExplicitAsync(ConnectionContext connection, ConnectionDelegate http1)
    {
        var detection = await ProtocolPeek.DetectAsync(connection.Transport.Input, options.DetectTimeout, time);
        await (detection.IsConnect ? TunnelAsync(connection, http1) : ExplicitHttpAsync(connection, http1, detection));
    }

    // CONNECT host:port: a tunnel to a configured service, or to an address a local application could reach anyway.
    private async Task TunnelAsync(ConnectionContext connection, ConnectionDelegate http1)
    {
        var authority = await ConnectRequest.ReadAsync(connection.Transport.Input, options.RequestHeadersTimeout, time);
        if (authority is null || !ConnectRequest.TrySplit(authority, out var host, out var port))
        {
            await RefuseAsync(connection, ProxyError.ConnectRefused, authority ?? "");
            return;
        }

        var (intercepted, refusal) = await TunnelTargetAsync(connection, host, port);
        if (intercepted is null)
        {
            Log.ConnectRefused(logger, authority, refusal!.Name);
            await RefuseAsync(connection, refusal, authority);
            return;
        }

        // Straight to the socket, as the TCP relay writes: through Kestrel's output pipe, the answer could still wait
        // there while the tunnel's first bytes overtook it.
        await connection.Features.Get<IConnectionSocketFeature>()!.Socket.SendAsync(ConnectionEstablished, SocketFlags.None);
        await DispatchAsync(connection, http1, intercepted);
    }

    // Where a tunnel may go: a configured service by name; an IP address that interception would carry; with
    // Mesh:Proxy:Outbound:AllowUnknownHosts, a host name resolved once, as explicit mode resolves an unknown host: any
    // address of it forbidden (link-local, metadata) refuses it with forbidden-address, and the tunnel goes to the
    // first address, the one checked. Else why not.
    private async Task<(InterceptedConnection? Tunnel, ProxyError? Refusal)> TunnelTargetAsync(ConnectionContext connection, string host, int port)
    {
        if (catalog.IsKnown(host))
        {
            return (new InterceptedConnection(MeshDirection.Outbound, null, host), null);
        }

        var allowUnknown = options.Outbound.AllowUnknownHosts;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else if (!allowUnknown)
        {
            return (null, ProxyError.ConnectRefused);
        }
        else
        {
            using var deadline = new CancellationTokenSource(options.ConnectTimeout, time);
            try
            {
                addresses = await resolver.ResolveAsync(host, deadline.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                return (null, ProxyError.ConnectError);
            }
        }

        if (addresses.Length == 0)
        {
            return (null, ProxyError.ConnectError);
        }

        if (Array.Exists(addresses, ForbiddenAddresses.Contains))
        {
            return (null, allowUnknown ? ProxyError.ForbiddenAddress : ProxyError.ConnectRefused);
        }

        foreach (var address in addresses)
        {
            if (!MayTunnelTo(connection, new IPEndPoint(address, port)))
            {
                return (null, ProxyError.ConnectRefused);
            }
        }

        var destination = new IPEndPoint(addresses[0], port);
        var name = literal is null ? $"{host}:{port.ToString(CultureInfo.InvariantCulture)}" : null;
        return (new InterceptedConnection(MeshDirection.Outbound, destination, await index.ServiceOfAsync(destination), name), null);
    }

    // What interception would carry: a local application's connection (the peer on loopback), to somewhere that is not
    // this host, never the sidecar's own listeners.
    private bool MayTunnelTo(ConnectionContext connection, IPEndPoint address) =>
        connection.RemoteEndPoint is IPEndPoint peer && IPAddress.IsLoopback(peer.Address) &&
        !LocalAddresses.Contains(address.Address) && !listeners.IsOwn(address);

    private async Task RefuseAsync(ConnectionContext connection, ProxyError error, string authority)
    {
        errors.Record(Listeners.Outbound, error.Name);
        var body = $"Mesh: {error.Describe(authority)}\n";
        var response =
            $"HTTP/1.1 {error.Status.ToString(CultureInfo.InvariantCulture)} {ReasonPhrases.GetReasonPhrase(error.Status)}\r\n" +
            $"{MeshHeaders.ProxyError}: {error.Name}\r\n" +
            "Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n" +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}\r\n\r\n{body}";
        await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes(response));
        await connection.Transport.Output.CompleteAsync();
    }

    private static partial class Log
    {
        [LoggerMessage(152, LogLevel.Warning, "Refused an intercepted {Direction} connection to {Destination}: that is one of the sidecar's own listeners (loop).")]
        public static partial void LoopRefused(ILogger logger, string direction, string destination);

        [LoggerMessage(153, LogLevel.Information, "{Destination} spoke first: its next connections are opaque TCP without waiting for detection.")]
        public static partial void ServerFirst(ILogger logger, string destination);

        [LoggerMessage(154, LogLevel.Warning, "Refused CONNECT to '{Authority}' ({Reason}): neither a configured service nor an address a local application may reach.")]
        public static partial void ConnectRefused(ILogger logger, string authority, string reason);
    }
}
