using YamlDotNet.RepresentationModel;

namespace Mesh.MultiHost.Tests.Kubernetes;

/// <summary>Every YAML document under deploy/kubernetes, parsed with YamlDotNet, with small helpers to walk them.</summary>
public sealed class Manifests
{
    private Manifests(string folder, IReadOnlyList<(string File, YamlMappingNode Root)> documents)
    {
        Folder = folder;
        Documents = documents;
    }

    public string Folder { get; }

    public IReadOnlyList<(string File, YamlMappingNode Root)> Documents { get; }

    public static Manifests Load()
    {
        var folder = Path.Combine(Repository.Root, "deploy", "kubernetes");
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var file in Directory.GetFiles(folder, "*.yaml").Concat(Directory.GetFiles(folder, "*.yml")).Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = File.OpenText(file))
            {
                stream.Load(reader);
            }

            foreach (var document in stream.Documents)
            {
                documents.Add((Path.GetFileName(file), Assert.IsType<YamlMappingNode>(document.RootNode)));
            }
        }

        return new Manifests(folder, documents);
    }

    public YamlMappingNode Single(string kind) => Assert.Single(Documents, d => Scalar(d.Root, "kind") == kind).Root;

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Documents.Where(d => Scalar(d.Root, "kind") == kind).Select(d => d.Root);

    public static YamlNode? Node(YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    public static string? Scalar(YamlNode node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(YamlNode node, params string[] path) =>
        Node(node, path) is YamlSequenceNode sequence ? sequence.Children : [];

    public static Dictionary<string, string> Map(YamlNode node, params string[] path) =>
        Node(node, path) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => (p.Value as YamlScalarNode)?.Value ?? "")
            : [];
}
