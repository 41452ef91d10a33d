namespace Mesh.Cli.Injection;

/// <summary>
/// The annotations <c>mesh inject</c> reads, on the pod template (<c>spec.template.metadata.annotations</c>) or, when
/// the template has none of that name, on the workload itself (docs/kubernetes.md).
/// </summary>
internal static class MeshAnnotations
{
    /// <summary><c>disabled</c> leaves the workload as it is; <c>enabled</c> (the same as none) injects it.</summary>
    public const string Inject = "mesh.io/inject";

    /// <summary>Destination ports the application reaches directly (<c>mesh iptables apply --skip-outbound-ports</c>).</summary>
    public const string SkipOutboundPorts = "mesh.io/skip-outbound-ports";

    /// <summary>Ports delivered to the application directly (<c>mesh iptables apply --skip-inbound-ports</c>).</summary>
    public const string SkipInboundPorts = "mesh.io/skip-inbound-ports";

    /// <summary>Ports whose connections the sidecar forwards as TCP without detecting a protocol (<c>Mesh:Proxy:OpaquePorts</c>).</summary>
    public const string OpaquePorts = "mesh.io/opaque-ports";

    /// <summary>The ConfigMap holding the sidecar's <c>mesh.json</c> (default: the workload's name and <c>-mesh</c>).</summary>
    public const string ConfigMap = "mesh.io/config-map";

    public const string Enabled = "enabled";

    public const string Disabled = "disabled";

    /// <summary>What an annotation-driven Prometheus reads: whether, on which port and at which path to scrape the pod.</summary>
    public const string PrometheusScrape = "prometheus.io/scrape";

    public const string PrometheusPort = "prometheus.io/port";

    public const string PrometheusPath = "prometheus.io/path";
}
