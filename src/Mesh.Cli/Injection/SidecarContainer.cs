using System.Globalization;
using YamlDotNet.RepresentationModel;
using static Mesh.Cli.Manifests.YamlNodes;

namespace Mesh.Cli.Injection;

/// <summary>
/// The <c>mesh</c> container: the sidecar, configured as in deploy/kubernetes/deployment.yaml (its <c>mesh.json</c> from
/// the ConfigMap, hot-reloaded; probes on the admin port; resources; a locked-down security context), plus what
/// interception needs and the ConfigMap must not change, as environment variables (which win over the file): the
/// listeners the iptables rules point at, the admin port on the pod's address for the kubelet, the drain that fits
/// the pod's grace period. It runs as the proxy uid, whose connections the rules leave alone.
/// </summary>
internal static class SidecarContainer
{
    /// <param name="image">The sidecar's image.</param>
    /// <param name="proxyUid">The user it runs as.</param>
    /// <param name="service">The workload's name, for inbound metrics (<c>Mesh:Proxy:Inbound:Service</c>); null leaves the default.</param>
    /// <param name="opaquePorts">The ports forwarded without protocol detection (<c>Mesh:Proxy:OpaquePorts</c>); null leaves the sidecar's default list.</param>
    /// <param name="drain">How long the sidecar drains, given the pod's grace period.</param>
    /// <param name="native">Whether it runs as a native sidecar (an init container that keeps running), for pods meant to finish.</param>
    public static YamlMappingNode Build(string image, int proxyUid, string? service, string? opaquePorts, SidecarDrain drain, bool native)
    {
        var env = new List<YamlNode>
        {
            Env("Mesh__Proxy__Outbound__Listen", $"127.0.0.1:{Number(MeshPod.OutboundPort)}"),
            Env("Mesh__Proxy__Inbound__Listen", $"0.0.0.0:{Number(MeshPod.InboundPort)}"),
            // kubelet probes come from the node: the admin listener binds the pod's address (docs/kubernetes.md).
            Env("Mesh__Admin__Listen", $"0.0.0.0:{Number(MeshPod.AdminPort)}"),
            Env("Mesh__Admin__AllowNonLoopback", "true"),
            Env("Mesh__Proxy__DrainDelay", drain.Delay.ToString("c", CultureInfo.InvariantCulture)),
            Env("Mesh__Proxy__DrainTimeout", drain.Timeout.ToString("c", CultureInfo.InvariantCulture)),
        };
        if (service is not null)
        {
            env.Add(Env("Mesh__Proxy__Inbound__Service", service));
        }

        if (opaquePorts is not null)
        {
            env.Add(Env("Mesh__Proxy__OpaquePorts", opaquePorts));
        }

        env.Add(Map(("name", Str("Mesh__Discovery__Dns__Namespace")), ("valueFrom", Map(("fieldRef", Map(("fieldPath", Str("metadata.namespace"))))))));
        env.Add(Env("DOTNET_USE_POLLING_FILE_WATCHER", "true"));
        env.Add(Env("DOTNET_GCgen0size", "800000"));
        env.Add(Env("DOTNET_gcServer", "0"));

        var container = Map(
            ("name", Str(MeshPod.Sidecar)),
            ("image", Str(image)),
            ("args", Strs([$"--Mesh:ConfigFile={MeshPod.ConfigDirectory}/{MeshPod.ConfigFileName}"])),
            ("env", new YamlSequenceNode(env)),
            ("ports", Seq(
                Port("mesh-out", MeshPod.OutboundPort),
                Port("mesh-out-h2c", MeshPod.OutboundHttp2Port),
                Port("mesh-in", MeshPod.InboundPort),
                Port("mesh-admin", MeshPod.AdminPort))));
        if (native)
        {
            // An init container that keeps running: started before the next ones (once /ready answers), stopped after
            // the application's containers have exited, so a Job's pod completes.
            container.Children.Add(new YamlScalarNode("restartPolicy"), Str("Always"));
            container.Children.Add(new YamlScalarNode("startupProbe"), Probe("/ready", periodSeconds: 1, failureThreshold: 120));
        }

        container.Children.Add(new YamlScalarNode("readinessProbe"), Probe("/ready", periodSeconds: 2, failureThreshold: 1));
        container.Children.Add(new YamlScalarNode("livenessProbe"), Probe("/live", periodSeconds: 10, failureThreshold: 3));
        if (drain.PreStopSeconds > 0)
        {
            container.Children.Add(new YamlScalarNode("lifecycle"), Map(("preStop", Map(("sleep", Map(("seconds", Int(drain.PreStopSeconds))))))));
        }

        container.Children.Add(new YamlScalarNode("resources"), Map(
            ("requests", Map(("cpu", Str("100m")), ("memory", Str("64Mi")))),
            ("limits", Map(("memory", Str("256Mi"))))));
        container.Children.Add(new YamlScalarNode("securityContext"), Map(
            ("runAsNonRoot", Bool(true)),
            ("runAsUser", Int(proxyUid)),
            ("allowPrivilegeEscalation", Bool(false)),
            ("readOnlyRootFilesystem", Bool(true)),
            ("capabilities", Map(("drop", Strs(["ALL"]))))));
        container.Children.Add(new YamlScalarNode("volumeMounts"), Seq(
            Map(("name", Str(MeshPod.ConfigVolume)), ("mountPath", Str(MeshPod.ConfigDirectory)), ("readOnly", Bool(true))),
            Map(("name", Str(MeshPod.TmpVolume)), ("mountPath", Str("/tmp")))));
        return container;
    }

    private static YamlMappingNode Env(string name, string value) => Map(("name", Str(name)), ("value", Str(value)));

    private static YamlMappingNode Port(string name, int port) => Map(("name", Str(name)), ("containerPort", Int(port)));

    private static YamlMappingNode Probe(string path, int periodSeconds, int failureThreshold) => Map(
        ("httpGet", Map(("path", Str(path)), ("port", Str("mesh-admin")))),
        ("periodSeconds", Int(periodSeconds)),
        ("failureThreshold", Int(failureThreshold)));

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
