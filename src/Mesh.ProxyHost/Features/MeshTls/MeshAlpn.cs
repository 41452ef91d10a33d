using System.Net.Security;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// The ALPN protocol IDs of mutual TLS between sidecars. HTTP goes as <c>h2</c>, with <see cref="Peer"/> offered beside
/// it; opaque TCP as <see cref="Tcp"/>, followed by a <see cref="TransportHeader"/>. A ClientHello offering either of the
/// two Mesh IDs is a peer sidecar's: an intercepted inbound connection carrying one is terminated by the sidecar, while
/// other TLS (the application's own, such as HTTPS it serves) goes on to the application untouched. Istio marks its
/// sidecars' connections the same way (ALPN <c>istio</c>); Linkerd uses the server name and
/// <c>transport.l5d.io/v1</c> for opaque traffic.
/// </summary>
internal static class MeshAlpn
{
    /// <summary>Offered beside <c>h2</c> by a sidecar's HTTP connections, so the far side knows them for Mesh's; never chosen.</summary>
    public static readonly SslApplicationProtocol Peer = new("peer.mesh.io/v1");

    /// <summary>Opaque TCP between sidecars: after the handshake, a <see cref="TransportHeader"/> names the application's port.</summary>
    public static readonly SslApplicationProtocol Tcp = new("tcp.mesh.io/v1");

    /// <summary>What a sidecar's HTTP connections offer: <c>h2</c>, the one it accepts, and <see cref="Peer"/>.</summary>
    public static readonly List<SslApplicationProtocol> HttpOffer = [SslApplicationProtocol.Http2, Peer];

    /// <summary>What a sidecar's opaque TCP connections offer.</summary>
    public static readonly List<SslApplicationProtocol> TcpOffer = [Tcp];

    /// <summary>What the inbound port accepts: HTTP/2 and HTTP/1.1 (from peers and from any TLS client) and opaque TCP from peers.</summary>
    public static readonly List<SslApplicationProtocol> InboundAccepts = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11, Tcp];

    /// <summary>Gets whether <paramref name="protocol"/>, one a ClientHello offers, is one only Mesh's sidecars offer.</summary>
    public static bool IsMeshs(ReadOnlySpan<byte> protocol) =>
        protocol.SequenceEqual(Peer.Protocol.Span) || protocol.SequenceEqual(Tcp.Protocol.Span);
}
