namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>Why a connection is forwarded as opaque TCP: the values of <c>mesh.tcp.detection</c>.</summary>
internal static class TcpDetection
{
    /// <summary>Its destination port is one of <c>Mesh:Proxy:OpaquePorts</c>: not detected at all.</summary>
    public const string OpaquePort = "opaque_port";

    /// <summary>Its destination was seen speaking first: not detected, no wait.</summary>
    public const string Remembered = "remembered";

    /// <summary>The client sent nothing within <c>Mesh:Proxy:DetectTimeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>Its first bytes are a TLS record.</summary>
    public const string Tls = "tls";

    /// <summary>Its first bytes are neither HTTP nor TLS.</summary>
    public const string NotHttp = "not_http";
}
