using YamlDotNet.RepresentationModel;

namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>The rules of a Prometheus rules file: each one's recorded series name or alert name, and its expression.</summary>
public static class RulesFile
{
    public sealed record Rule(string? Record, string? Alert, string Expr);

    public static IReadOnlyList<Rule> Read(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return
        [
            .. ((YamlSequenceNode)root["groups"])
                .Cast<YamlMappingNode>()
                .SelectMany(static group => (YamlSequenceNode)group["rules"])
                .Cast<YamlMappingNode>()
                .Select(static rule => new Rule(Scalar(rule, "record"), Scalar(rule, "alert"), Scalar(rule, "expr") ?? "")),
        ];
    }

    public static IReadOnlySet<string> RecordedSeries(string path) =>
        Read(path).Where(static r => r.Record is not null).Select(static r => r.Record!).ToHashSet();

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
}
