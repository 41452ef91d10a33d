namespace Mesh.ProxyHost.Features.Detection;

/// <summary>
/// What the first bytes of a connection say it speaks. On the inbound port of a sidecar with an identity, <see cref="Tls"/>
/// is then told apart by its ClientHello: a peer sidecar's mutual TLS, terminated there, or the application's own.
/// </summary>
internal enum DetectedProtocol
{
    /// <summary>An HTTP/1.x request line: the HTTP/1 pipeline.</summary>
    Http1,

    /// <summary>The HTTP/2 client preface (prior knowledge, gRPC): the h2c pipeline.</summary>
    Http2,

    /// <summary>A TLS record (a ClientHello): opaque TCP, the sidecar cannot read inside it; or, inbound, mutual TLS it terminates.</summary>
    Tls,

    /// <summary>Anything else (a binary protocol): opaque TCP.</summary>
    Opaque,
}
