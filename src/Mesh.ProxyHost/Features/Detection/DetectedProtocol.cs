namespace Mesh.ProxyHost.Features.Detection;

/// <summary>
/// What the first bytes of a connection say it speaks. Grows with what the sidecar learns to tell apart (mTLS will
/// take <see cref="Tls"/> on the inbound port for its own).
/// </summary>
internal enum DetectedProtocol
{
    /// <summary>An HTTP/1.x request line: the HTTP/1 pipeline.</summary>
    Http1,

    /// <summary>The HTTP/2 client preface (prior knowledge, gRPC): the h2c pipeline.</summary>
    Http2,

    /// <summary>A TLS record (a ClientHello): opaque TCP, the sidecar cannot read inside it.</summary>
    Tls,

    /// <summary>Anything else (a binary protocol): opaque TCP.</summary>
    Opaque,
}
