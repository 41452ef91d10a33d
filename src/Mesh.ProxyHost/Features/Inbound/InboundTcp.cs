using System.Globalization;
using System.Net;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Authorization;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.ProxyHost.Features.Tcp;
using Mesh.ProxyHost.Features.Transparent;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.Inbound;

/// <summary>
/// Inbound opaque TCP: a connection for the application's port P goes to <c>127.0.0.1:P</c> and nowhere else, once
/// authorization allows it (<c>Mesh:Proxy:Inbound:Authorization</c>, the connection decided as a request for <c>/</c> on
/// P by the caller it proved, if any); a denied one is reset and counted. It comes intercepted (P its original
/// destination's port) or from a peer sidecar over mutual TLS (<see cref="MeshAlpn.Tcp"/>), which names P in a
/// <see cref="TransportHeader"/>: read within <c>Mesh:Proxy:DetectTimeout</c>, and refused when it is malformed, when an
/// intercepted connection names another port than it was sent to, or when P is one of the sidecar's own listeners.
/// </summary>
internal sealed class InboundTcp(ProxyOptions options, TcpForwarder tcp, InboundAuthorizer authorizer, InboundRefusals refusals, Listeners listeners, TimeProvider time)
{
    /// <summary>Forwards <paramref name="connection"/> to the application's <paramref name="port"/> if its caller (<paramref name="clientId"/>, null: none proved) may reach it.</summary>
    public Task ForwardAsync(ConnectionContext connection, int port, string display, string detection, string? clientId, Action? serverSpokeFirst = null)
    {
        if (!authorizer.AllowsConnection(port, clientId))
        {
            refusals.Record(InboundRefusals.Unauthorized, connection.RemoteEndPoint, $"authorization denies {clientId ?? "an unauthenticated caller"} TCP to port {port.ToString(CultureInfo.InvariantCulture)}");
            TcpForwarder.Reset(connection);
            return Task.CompletedTask;
        }

        // IPv4 loopback whichever family the caller came over, as inbound HTTP goes to 127.0.0.1.
        var destination = new TcpDestination(MeshDirection.Inbound, options.Inbound.Service, display, new IPEndPoint(IPAddress.Loopback, port), null);
        return tcp.ForwardAsync(connection, destination, detection, serverSpokeFirst);
    }

    /// <summary>Serves a peer sidecar's opaque TCP over mutual TLS, once the handshake chose <see cref="MeshAlpn.Tcp"/>.</summary>
    public async Task ServeMeshTcpAsync(ConnectionContext connection)
    {
        var port = await TransportHeader.ReadAsync(connection.Transport.Input, options.DetectTimeout, time).ConfigureAwait(false);
        var intercepted = InterceptedConnection.Of(connection);
        var refusal = port is not { } p ? "no valid transport header in time"
            : intercepted?.Address is { } sent && sent.Port != p ? $"a transport header naming port {p.ToString(CultureInfo.InvariantCulture)} on a connection sent to {sent}"
            : listeners.Reaches(new IPEndPoint(IPAddress.Loopback, p)) ? $"a transport header naming port {p.ToString(CultureInfo.InvariantCulture)}, one of the sidecar's own"
            : null;
        if (refusal is not null)
        {
            refusals.Record(InboundRefusals.BadHeader, connection.RemoteEndPoint, refusal);
            TcpForwarder.Reset(connection);
            return;
        }

        var display = intercepted?.Address?.ToString() ?? $"127.0.0.1:{port!.Value.ToString(CultureInfo.InvariantCulture)}";
        await ForwardAsync(connection, port!.Value, display, TcpDetection.MeshTls, InboundPeers.Of(connection).ClientId).ConfigureAwait(false);
    }
}
