namespace Mesh.ProxyHost.Features;

/// <summary>This sidecar process's id, carried in <c>mesh-hop</c> to detect loops.</summary>
internal sealed class SidecarIdentity
{
    public string Id { get; } = Guid.NewGuid().ToString("N")[..12];
}
