using System.Text;
using Mesh.Cli.Manifests;
using YamlDotNet.RepresentationModel;
using static Mesh.Cli.Manifests.YamlNodes;

namespace Mesh.Cli.Injection;

/// <summary>
/// <c>mesh inject</c> over a whole YAML stream: every document, and every item of a <c>List</c>, that is a workload is
/// injected (<see cref="WorkloadInjector"/>); everything else (Services, ConfigMaps, custom resources) stays as it was,
/// where it was. A stretch of the input in which nothing changed is written back byte for byte, comments and layout
/// included; a changed document is written again from its nodes, with its comments.
/// </summary>
internal static class ManifestInjector
{
    /// <summary>Injects <paramref name="chunks"/>; the output is null when the report has errors.</summary>
    public static (string? Output, InjectionReport Report) Inject(IReadOnlyList<ManifestChunk> chunks, InjectionSettings settings)
    {
        var report = new InjectionReport();
        var injector = new WorkloadInjector(settings, report);
        var configMaps = new Inventory();
        var output = new StringBuilder();
        var number = 0;
        foreach (var chunk in chunks)
        {
            var changed = false;
            foreach (var document in chunk.Documents)
            {
                number++;
                var before = document.Shape();
                Visit(document.Root, $"document {number}", injector, report, configMaps);
                changed |= document.Shape() != before;
            }

            output.Append(changed ? Rewrite(chunk) : chunk.Text);
            if (changed && !chunk.CommentsKept)
            {
                report.Notes.Add($"the comments from line {chunk.FirstLine} to the next --- are left out: YamlDotNet cannot read them there (a comment after [...] or {{...}} under a key)");
            }
        }

        foreach (var (name, users) in configMaps.Missing())
        {
            report.Notes.Add($"ConfigMap {name} ({string.Join(", ", users)} mounts it) is not in the input: the pods start once it exists, e.g. " +
                $"kubectl create configmap {name} --from-file={MeshPod.ConfigFileName}");
        }

        if (report.Results.Count == 0 && report.Errors.Count == 0)
        {
            report.Notes.Add("no workload in the input (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, or a List of them): written back as it was");
        }

        return (report.Errors.Count > 0 ? null : output.ToString(), report);
    }

    private static void Visit(YamlNode node, string where, WorkloadInjector injector, InjectionReport report, Inventory configMaps)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return; // an empty document (a `---` with nothing after it), which kubectl skips too
        }

        if (node is not YamlMappingNode obj || Text(obj, "kind") is not { } kind || Text(obj, "apiVersion") is not { } apiVersion)
        {
            report.Errors.Add($"{where}: not a Kubernetes object (a mapping with apiVersion and kind)");
            return;
        }

        var name = Text(obj, "metadata", "name");
        var resource = $"{kind}/{name ?? "(no name)"}";
        if (WorkloadKinds.IsList(kind) && Get(obj, "items") is YamlSequenceNode items)
        {
            for (var i = 0; i < items.Children.Count; i++)
            {
                Visit(items.Children[i], $"{where}, {kind} item {i + 1}", injector, report, configMaps);
            }
        }
        else if (WorkloadKinds.PodPath(apiVersion, kind) is { } podPath)
        {
            var before = Shape(obj);
            if (injector.Inject(obj, podPath, resource, $"{where} ({resource})") is { } configMap)
            {
                configMaps.Use(configMap, resource);
                report.Results.Add(new InjectionResult(resource, Shape(obj) == before ? InjectionOutcome.Unchanged : InjectionOutcome.Injected));
            }
        }
        else if (kind == "ConfigMap" && name is not null)
        {
            configMaps.Define(name);
        }
    }

    private static string Shape(YamlNode node) => YamlWriter.Write(node, YamlComments.None);

    private static string Rewrite(ManifestChunk chunk) =>
        (chunk.Marker ? "---\n" : "") + string.Join("---\n", chunk.Documents.Select(d => d.ToYaml()));

    // The ConfigMaps the input defines and those the injected pods mount, to tell the user which are still to create.
    private sealed class Inventory
    {
        private readonly HashSet<string> _defined = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<string>> _used = new(StringComparer.Ordinal);

        public void Define(string name) => _defined.Add(name);

        public void Use(string name, string resource)
        {
            if (!_used.TryGetValue(name, out var users))
            {
                _used[name] = users = [];
            }

            users.Add(resource);
        }

        public IEnumerable<(string Name, List<string> Users)> Missing() =>
            _used.Where(u => !_defined.Contains(u.Key)).Select(u => (u.Key, u.Value));
    }
}
