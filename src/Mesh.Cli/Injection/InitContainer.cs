using System.Globalization;
using Mesh.Cli.Interception;
using YamlDotNet.RepresentationModel;
using static Mesh.Cli.Manifests.YamlNodes;

namespace Mesh.Cli.Injection;

/// <summary>
/// The <c>mesh-init</c> container: <c>mesh iptables apply</c> in the pod's network namespace, which every container
/// shares, so the rules hold for the pod's life (docs/interception.md). It is the only part that runs as root, with
/// <c>NET_ADMIN</c> and <c>NET_RAW</c> and nothing else; its root filesystem is read-only, with an emptyDir at
/// <c>/run</c> for iptables' lock file (as linkerd2-proxy-init does) and at <c>/tmp</c> for the runtime.
/// </summary>
internal static class InitContainer
{
    public static YamlMappingNode Build(string image, int proxyUid, PortList skipOutbound, PortList skipInbound, bool ipv6)
    {
        var args = new List<string>
        {
            "iptables", "apply",
            "--outbound-port", Number(MeshPod.OutboundPort),
            "--inbound-port", Number(MeshPod.InboundPort),
            "--proxy-uid", Number(proxyUid),
            // The sidecar's listeners have IPv6 twins ([::1]:4140, [::]:4143: Mesh:Proxy:ListenIPv6), where ip6tables
            // REDIRECT delivers.
            "--ipv6", ipv6 ? "true" : "false",
        };
        if (skipOutbound.Ranges.Count > 0)
        {
            args.AddRange(["--skip-outbound-ports", skipOutbound.ToString()]);
        }

        if (skipInbound.Ranges.Count > 0)
        {
            args.AddRange(["--skip-inbound-ports", skipInbound.ToString()]);
        }

        return Map(
            ("name", Str(MeshPod.Init)),
            ("image", Str(image)),
            ("args", Strs(args)),
            ("resources", Map(
                ("requests", Map(("cpu", Str("10m")), ("memory", Str("32Mi")))),
                ("limits", Map(("memory", Str("128Mi")))))),
            ("securityContext", Map(
                ("runAsUser", Int(0)),
                ("runAsNonRoot", Bool(false)),
                ("allowPrivilegeEscalation", Bool(false)),
                ("readOnlyRootFilesystem", Bool(true)),
                ("capabilities", Map(("add", Strs(["NET_ADMIN", "NET_RAW"])), ("drop", Strs(["ALL"])))))),
            ("volumeMounts", Seq(
                Map(("name", Str(MeshPod.XtablesLockVolume)), ("mountPath", Str("/run"))),
                Map(("name", Str(MeshPod.TmpVolume)), ("mountPath", Str("/tmp"))))));
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
