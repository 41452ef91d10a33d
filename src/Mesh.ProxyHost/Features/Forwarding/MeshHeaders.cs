namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>The headers the sidecar adds or reads.</summary>
internal static class MeshHeaders
{
    /// <summary>Added to every request a sidecar forwards outbound, with the sidecar's id; seeing its own id again means a loop.</summary>
    public const string Hop = "mesh-hop";

    /// <summary>
    /// On a request one sidecar sends another over HTTP/2 (mutual TLS) that its caller sent in HTTP/1.x: that version
    /// (<c>HTTP/1.1</c>), so the far side hands it to its application as such. Removed from whatever arrives from outside
    /// the mesh (an application's request) and before the application sees it.
    /// </summary>
    public const string OriginalProtocol = "mesh-orig-proto";

    /// <summary>
    /// On an inbound request handed to the application: the SPIFFE ID its caller's client certificate proved. Whatever
    /// value a caller sent is removed first, from plaintext callers too, so the application can trust it.
    /// </summary>
    public const string ClientId = "mesh-client-id";

    /// <summary>On responses the sidecar makes itself: why it did not forward or why forwarding failed.</summary>
    public const string ProxyError = "mesh-proxy-error";
}
