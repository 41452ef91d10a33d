using Mesh.Cli.Interception;

namespace Mesh.Cli.Injection;

/// <summary>
/// The names and numbers of what <c>mesh inject</c> adds to a pod. It owns the containers, volumes and ports named here:
/// injecting again replaces them, so the result is the same however many times it runs.
/// </summary>
internal static class MeshPod
{
    /// <summary>The sidecar container (the same name as in deploy/kubernetes/deployment.yaml).</summary>
    public const string Sidecar = "mesh";

    /// <summary>The init container that runs <c>mesh iptables apply</c>.</summary>
    public const string Init = "mesh-init";

    /// <summary>The volume of the ConfigMap with <c>mesh.json</c>, mounted at <see cref="ConfigDirectory"/>.</summary>
    public const string ConfigVolume = "mesh-config";

    /// <summary>The runtime's scratch space (<c>/tmp</c>), the root filesystems being read-only.</summary>
    public const string TmpVolume = "mesh-tmp";

    /// <summary>iptables' lock file (<c>/run/xtables.lock</c>) for the init container, whose root filesystem is read-only.</summary>
    public const string XtablesLockVolume = "mesh-xtables-lock";

    public const string ConfigDirectory = "/etc/mesh";

    public const string ConfigFileName = "mesh.json";

    /// <summary>The ConfigMap's name when neither <c>mesh.io/config-map</c> nor <c>--config-map</c> gives one: the workload's, and this.</summary>
    public const string ConfigMapSuffix = "-mesh";

    public const int OutboundPort = InterceptionConstants.OutboundPort;

    public const int OutboundHttp2Port = 4142;

    public const int InboundPort = InterceptionConstants.InboundPort;

    public const int AdminPort = InterceptionConstants.AdminPort;

    /// <summary>The sidecar's preStop sleep: endpoint removal reaches callers while it still serves (as in deploy/).</summary>
    public const int PreStopSeconds = 5;

    /// <summary>Kubernetes' default <c>terminationGracePeriodSeconds</c>.</summary>
    public const int DefaultGracePeriodSeconds = 30;

    /// <summary>The ports the sidecar listens on: no other container of the pod may declare them.</summary>
    public static IReadOnlyList<int> Ports { get; } = [OutboundPort, OutboundHttp2Port, InboundPort, AdminPort];
}
