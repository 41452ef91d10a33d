using Mesh.ProxyHost.Features.Detection;
using Mesh.ProxyHost.Features.Inbound;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.ProxyHost.Features.Tcp;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// The inbound listener of a sidecar with an identity: mutual TLS and plaintext on one port. Every connection is
/// detected, opaque ports and remembered destinations included (a peer sidecar's ClientHello comes first; a silent
/// plaintext client waits <c>Mesh:Proxy:DetectTimeout</c>). TLS is the sidecar's to terminate
/// (<see cref="InboundTlsChain"/>) when the caller dialled the inbound port itself, or when its ClientHello offers one of
/// Mesh's ALPN protocols (a peer sidecar's connection to an application port, intercepted); other TLS is the
/// application's own and goes on to it as opaque TCP. Under <c>Mesh:Proxy:Inbound:Tls=Strict</c>, anything but the
/// sidecar's mutual TLS is refused before a byte of it is read as HTTP: the connection closed and counted
/// (<see cref="InboundRefusals.Plaintext"/>). Under <c>Permissive</c> it is served as without an identity.
/// </summary>
internal sealed partial class TransparentListener
{
    private async Task MutualTlsAsync(ConnectionContext connection, ConnectionDelegate http1, InboundTlsChain tls, InterceptedConnection? intercepted)
    {
        var input = connection.Transport.Input;
        var detection = await ProtocolPeek.DetectAsync(input, options.DetectTimeout, time);
        if (detection.Kind == DetectionKind.Closed)
        {
            return;
        }

        var isTls = detection is { Kind: DetectionKind.Detected, Protocol: DetectedProtocol.Tls };
        if (isTls && (intercepted is null || await ProtocolPeek.OffersMeshProtocolAsync(input, options.DetectTimeout, time)))
        {
            await tls.Terminate(connection);
            return;
        }

        if (options.Inbound.IsStrict)
        {
            refusals.Record(InboundRefusals.Plaintext, connection.RemoteEndPoint, isTls
                ? "TLS that is not a peer sidecar's (its ClientHello offers no Mesh protocol), and Mesh:Proxy:Inbound:Tls is Strict"
                : "a caller without mutual TLS, and Mesh:Proxy:Inbound:Tls is Strict");
            connection.Abort(new ConnectionAbortedException("Mesh: Mesh:Proxy:Inbound:Tls is Strict."));
            return;
        }

        if (intercepted is null)
        {
            await ExplicitHttpAsync(connection, http1, detection);
        }
        else if (intercepted.Address is { } address && _opaquePorts.Contains(address.Port))
        {
            // Detected only to find mutual TLS: an opaque port's plaintext is never read as HTTP.
            await ForwardTcpAsync(connection, intercepted, TcpDetection.OpaquePort);
        }
        else
        {
            await RouteAsync(connection, http1, intercepted, detection);
        }
    }
}
