namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>The headers the sidecar adds or reads.</summary>
internal static class MeshHeaders
{
    /// <summary>Added to every request a sidecar forwards outbound, with the sidecar's id; seeing its own id again means a loop.</summary>
    public const string Hop = "mesh-hop";

    /// <summary>On responses the sidecar makes itself: why it did not forward or why forwarding failed.</summary>
    public const string ProxyError = "mesh-proxy-error";
}
