using System.Globalization;
using System.Text.RegularExpressions;
using Mesh.Cli.Interception;
using YamlDotNet.RepresentationModel;
using static Mesh.Cli.Manifests.YamlNodes;

namespace Mesh.Cli.Injection;

/// <summary>
/// Injects one workload's pod: reads its annotations, refuses what cannot work (a malformed annotation, a container
/// on the sidecar's ports or user), leaves alone what must not be touched (<c>mesh.io/inject: disabled</c>,
/// <c>hostNetwork</c>), and otherwise puts Mesh's containers, volumes and annotations in place, replacing any that an
/// earlier injection left, so injecting twice gives what injecting once gave.
/// </summary>
internal sealed partial class WorkloadInjector(InjectionSettings settings, InjectionReport report)
{
    /// <summary>Injects the pod under <paramref name="podPath"/> of <paramref name="workload"/>; errors go to the report, prefixed with <paramref name="where"/>.</summary>
    /// <returns>The ConfigMap the pod now mounts, or null when it was not injected.</returns>
    public string? Inject(YamlMappingNode workload, string[] podPath, string resource, string where)
    {
        var errors = new List<string>();
        var path = string.Join('.', podPath);
        if ((podPath.Length == 0 ? workload : Get(workload, podPath)) is not YamlMappingNode pod ||
            Get(pod, "spec") is not YamlMappingNode spec ||
            Get(spec, "containers") is not YamlSequenceNode)
        {
            report.Errors.Add($"{where}: has no {(path.Length == 0 ? "" : path + ".")}spec.containers to inject into");
            return null;
        }

        var annotations = new PodAnnotations(Get(pod, "metadata", "annotations"), Get(workload, "metadata", "annotations"));
        switch (annotations[MeshAnnotations.Inject])
        {
            case null or MeshAnnotations.Enabled:
                break;
            case MeshAnnotations.Disabled:
                report.Results.Add(new InjectionResult(resource, InjectionOutcome.Skipped, $"{MeshAnnotations.Inject}: {MeshAnnotations.Disabled}"));
                return null;
            case var other:
                report.Errors.Add($"{where}: {MeshAnnotations.Inject} must be {MeshAnnotations.Enabled} or {MeshAnnotations.Disabled}, was '{other}'");
                return null;
        }

        if (Text(spec, "hostNetwork") == "true")
        {
            report.Results.Add(new InjectionResult(resource, InjectionOutcome.Skipped, "hostNetwork: true (the iptables rules would change the node's own network)"));
            return null;
        }

        var skipOutbound = Ports(annotations, MeshAnnotations.SkipOutboundPorts, errors);
        var skipInbound = Ports(annotations, MeshAnnotations.SkipInboundPorts, errors);
        var opaque = Ports(annotations, MeshAnnotations.OpaquePorts, errors);
        var name = Text(workload, "metadata", "name");
        var configMap = ConfigMapName(annotations, name, errors);
        var grace = GracePeriod(spec, errors);
        CheckConflicts(spec, [.. Items(spec, "containers"), .. Items(spec, "initContainers")], errors);
        if (errors.Count > 0)
        {
            report.Errors.AddRange(errors.Select(e => $"{where}: {e}"));
            return null;
        }

        // A pod meant to finish (a Job's, a run-once Pod) would never finish beside a sidecar that keeps running.
        var native = Text(spec, "restartPolicy") is "Never" or "OnFailure";
        var sidecar = SidecarContainer.Build(
            settings.SidecarImage, settings.ProxyUid, name, annotations[MeshAnnotations.OpaquePorts] is null ? null : opaque.ToString(), SidecarDrain.For(grace, native), native);
        var init = InitContainer.Build(settings.InitImage, settings.ProxyUid, skipOutbound, skipInbound, settings.Ipv6);

        // Mesh's init container runs after the application's own, which so see the network as it was; the rules are
        // then in place before the sidecar and the application start.
        var containers = SequenceAt(spec, "containers");
        var inits = SequenceAt(spec, "initContainers", before: "containers");
        SetNamed(inits, init);
        if (native)
        {
            RemoveNamed(containers, MeshPod.Sidecar);
            RemoveNamed(inits, MeshPod.Sidecar);
            inits.Children.Insert(IndexOfNamed(inits, MeshPod.Init) + 1, sidecar);
        }
        else
        {
            RemoveNamed(inits, MeshPod.Sidecar);
            SetNamed(containers, sidecar);
        }

        var volumes = SequenceAt(spec, "volumes");
        SetNamed(volumes, Map(
            ("name", Str(MeshPod.ConfigVolume)),
            ("configMap", Map(
                ("name", Str(configMap)),
                ("items", Seq(Map(("key", Str(MeshPod.ConfigFileName)), ("path", Str(MeshPod.ConfigFileName)))))))));
        SetNamed(volumes, Map(("name", Str(MeshPod.TmpVolume)), ("emptyDir", Map(("sizeLimit", Str("16Mi"))))));
        SetNamed(volumes, Map(("name", Str(MeshPod.XtablesLockVolume)), ("emptyDir", new YamlMappingNode())));

        Prometheus(pod, resource);
        return configMap;
    }

    // Prometheus scrapes the sidecar's /metrics, unless the annotations already send it to the application's port.
    private void Prometheus(YamlMappingNode pod, string resource)
    {
        var metadata = MappingAt(pod, "metadata", before: "spec");
        var annotations = MappingAt(metadata, "annotations");
        var admin = MeshPod.AdminPort.ToString(CultureInfo.InvariantCulture);
        if (Text(annotations, MeshAnnotations.PrometheusPort) is { } port && port != admin)
        {
            report.Notes.Add($"{resource}: {MeshAnnotations.PrometheusPort} is {port}, left as it is: Prometheus scrapes the application there, not the sidecar's /metrics on {admin}");
            return;
        }

        Set(annotations, MeshAnnotations.PrometheusScrape, Str("true"));
        Set(annotations, MeshAnnotations.PrometheusPort, Str(admin));
        Set(annotations, MeshAnnotations.PrometheusPath, Str("/metrics"));
    }

    private static PortList Ports(PodAnnotations annotations, string key, List<string> errors)
    {
        if (annotations[key] is not { } text)
        {
            return PortList.Empty;
        }

        if (!PortList.TryParse(text, out var ports, out var reason))
        {
            errors.Add($"{key} must be ports or ranges of 1-65535 separated by commas, such as 25,8000-8100, was '{text}': {reason}");
        }

        return ports;
    }

    private string ConfigMapName(PodAnnotations annotations, string? name, List<string> errors)
    {
        if (annotations[MeshAnnotations.ConfigMap] is { } annotated)
        {
            if (!IsResourceName(annotated))
            {
                errors.Add($"{MeshAnnotations.ConfigMap} must be a ConfigMap name (lower-case letters, digits, '-' and '.'), was '{annotated}'");
            }

            return annotated;
        }

        if ((settings.ConfigMap ?? (name is null ? null : name + MeshPod.ConfigMapSuffix)) is { } configMap)
        {
            return configMap;
        }

        errors.Add($"has no metadata.name to name its ConfigMap after: give one with the {MeshAnnotations.ConfigMap} annotation or --config-map");
        return "";
    }

    private static int GracePeriod(YamlMappingNode spec, List<string> errors)
    {
        var text = Text(spec, "terminationGracePeriodSeconds");
        if (text is null)
        {
            return MeshPod.DefaultGracePeriodSeconds;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            errors.Add($"terminationGracePeriodSeconds must be a whole number of seconds, was '{text}'");
        }

        return seconds;
    }

    // The application's containers must leave the sidecar its ports, and must not run as its user: iptables lets
    // that user's connections pass, so theirs would bypass the sidecar unseen.
    private void CheckConflicts(YamlMappingNode spec, IEnumerable<YamlNode> containers, List<string> errors)
    {
        var podUser = Text(spec, "securityContext", "runAsUser");
        foreach (var container in containers)
        {
            var name = Text(container, "name");
            if (name is MeshPod.Sidecar or MeshPod.Init)
            {
                continue;
            }

            foreach (var port in Items(container, "ports").Select(p => Text(p, "containerPort")))
            {
                if (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && MeshPod.Ports.Contains(number))
                {
                    errors.Add($"container '{name}' declares port {number}, which the sidecar listens on (it uses {string.Join(", ", MeshPod.Ports)})");
                }
            }

            var user = Text(container, "securityContext", "runAsUser") ?? podUser;
            if (user == settings.ProxyUid.ToString(CultureInfo.InvariantCulture))
            {
                errors.Add($"container '{name}' runs as uid {user}, the sidecar's (--proxy-uid): its connections would bypass the sidecar; run it as another user, or the sidecar with --proxy-uid");
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> is a Kubernetes object name (an RFC 1123 subdomain).</summary>
    public static bool IsResourceName(string name) => name.Length <= 253 && ResourceName().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex ResourceName();
}
