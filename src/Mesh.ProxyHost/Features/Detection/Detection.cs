namespace Mesh.ProxyHost.Features.Detection;

/// <summary>What peeking at a connection found.</summary>
/// <param name="Kind">What happened: a protocol detected, nothing sent in time, or the client gone.</param>
/// <param name="Protocol">The protocol, when <paramref name="Kind"/> is <see cref="DetectionKind.Detected"/>.</param>
/// <param name="IsConnect">Whether an HTTP/1 connection starts with a <c>CONNECT</c> request.</param>
internal readonly record struct Detection(DetectionKind Kind, DetectedProtocol Protocol = DetectedProtocol.Opaque, bool IsConnect = false);

/// <summary>How peeking at a connection ended.</summary>
internal enum DetectionKind
{
    /// <summary>The first bytes told the protocol.</summary>
    Detected,

    /// <summary>Not enough bytes came within the detect timeout (none at all for a server-first protocol).</summary>
    TimedOut,

    /// <summary>The client closed or broke the connection before anything could be told.</summary>
    Closed,
}
