using YamlDotNet.RepresentationModel;
using static Mesh.MultiHost.Tests.Kubernetes.Manifests;

namespace Mesh.Cli.Tests.Inject;

/// <summary>One pod found in <c>mesh inject</c>'s output: its workload, and the pod template's metadata and spec.</summary>
public sealed record InjectedPod(YamlMappingNode Workload, YamlMappingNode Metadata, YamlMappingNode Spec)
{
    public string Name => Scalar(Workload, "metadata", "name")!;

    public string Resource => $"{Scalar(Workload, "kind")}/{Name}";

    /// <summary>Every pod of every workload in <paramref name="yaml"/>, List items included; and the ConfigMaps' mesh.json by name.</summary>
    public static (List<InjectedPod> Pods, Dictionary<string, string> MeshJson) In(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var pods = new List<InjectedPod>();
        var meshJson = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var root in stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>())
        {
            foreach (var obj in Items(root, "items").OfType<YamlMappingNode>().Prepend(root))
            {
                // Where each kind keeps its pod, written out here rather than taken from the code under test.
                string[]? path = Scalar(obj, "kind") switch
                {
                    "Pod" => [],
                    "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" => ["spec", "template"],
                    "CronJob" => ["spec", "jobTemplate", "spec", "template"],
                    "ConfigMap" when Map(obj, "data").TryGetValue("mesh.json", out var json) => Record(meshJson, Scalar(obj, "metadata", "name")!, json),
                    _ => null,
                };
                if (path is not null && (path.Length == 0 ? obj : Node(obj, path)) is YamlMappingNode pod)
                {
                    pods.Add(new InjectedPod(obj, Node(pod, "metadata") as YamlMappingNode ?? [], Assert.IsType<YamlMappingNode>(Node(pod, "spec"))));
                }
            }
        }

        return (pods, meshJson);
    }

    public bool HasSidecar =>
        Items(Spec, "containers").Concat(Items(Spec, "initContainers")).Any(c => Scalar(c, "name") == "mesh");

    private static string[]? Record(Dictionary<string, string> meshJson, string name, string json)
    {
        meshJson[name] = json;
        return null;
    }
}
