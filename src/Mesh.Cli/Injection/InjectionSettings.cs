namespace Mesh.Cli.Injection;

/// <summary>What <c>mesh inject</c>'s options set for every workload it injects.</summary>
/// <param name="SidecarImage">The sidecar's image (<c>--image</c>, default <c>mesh-proxy</c>: deploy/Dockerfile).</param>
/// <param name="InitImage">The init container's image (<c>--init-image</c>, default <c>mesh-cli</c>: deploy/Dockerfile.cli).</param>
/// <param name="ProxyUid">The sidecar's user (<c>--proxy-uid</c>, default 2102), whose connections iptables leaves alone.</param>
/// <param name="ConfigMap">The ConfigMap of every workload (<c>--config-map</c>); null: each workload's name and <c>-mesh</c>.</param>
/// <param name="Ipv6">Whether the init container sets up IPv6 too (<c>--ipv6</c>, default true).</param>
internal sealed record InjectionSettings(string SidecarImage, string InitImage, int ProxyUid, string? ConfigMap, bool Ipv6)
{
    public const string DefaultSidecarImage = "mesh-proxy";

    public const string DefaultInitImage = "mesh-cli";
}
