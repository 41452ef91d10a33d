namespace Mesh.Cli.Interception;

/// <summary>The sidecar's ports and user that the rules point at by default, and the names of Mesh's own chains.</summary>
internal static class InterceptionConstants
{
    /// <summary>The sidecar's outbound listener (Mesh:Proxy:Outbound:Listen, <c>127.0.0.1:4140</c>).</summary>
    public const int OutboundPort = 4140;

    /// <summary>The sidecar's inbound listener (Mesh:Proxy:Inbound:Listen, <c>0.0.0.0:4143</c>).</summary>
    public const int InboundPort = 4143;

    /// <summary>The sidecar's admin listener (Mesh:Admin:Listen, <c>127.0.0.1:4191</c>): never redirected inbound, so probes reach it.</summary>
    public const int AdminPort = 4191;

    /// <summary>The user the sidecar runs as: its own connections are never redirected, or they would loop back into it.</summary>
    public const int ProxyUid = 2102;

    /// <summary>The chain PREROUTING jumps to: TCP arriving for the pod.</summary>
    public const string InboundChain = "MESH_PREROUTING";

    /// <summary>The chain OUTPUT jumps to: TCP the pod's processes send.</summary>
    public const string OutboundChain = "MESH_OUTPUT";

    /// <summary>What every rule's comment starts with, so <c>iptables-save</c> shows whose rules they are.</summary>
    public const string CommentPrefix = "mesh/";
}
