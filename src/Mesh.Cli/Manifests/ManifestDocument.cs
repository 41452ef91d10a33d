using YamlDotNet.RepresentationModel;

namespace Mesh.Cli.Manifests;

/// <summary>One YAML document as read: its root node (which the injector may change in place) and its comments.</summary>
internal sealed class ManifestDocument(YamlNode root, YamlComments comments)
{
    public YamlNode Root { get; } = root;

    public YamlComments Comments { get; } = comments;

    /// <summary>The document as YAML, with its comments.</summary>
    public string ToYaml() => YamlWriter.Write(Root, Comments);

    /// <summary>The document as YAML without comments: two documents with the same shape give the same text.</summary>
    public string Shape() => YamlWriter.Write(Root, YamlComments.None);
}
