using YamlDotNet.RepresentationModel;

namespace Mesh.Cli.Manifests;

/// <summary>
/// Where a node began in the text it was read from, and what it is: a block mapping and its first key start at the same
/// place, so the position alone does not tell them apart.
/// </summary>
internal readonly record struct CommentKey(long Index, YamlNodeType Type)
{
    public static CommentKey Of(YamlNode node) => new(node.Start.Index, node.NodeType);
}
