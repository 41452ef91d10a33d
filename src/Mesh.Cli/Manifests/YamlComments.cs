using YamlDotNet.RepresentationModel;

namespace Mesh.Cli.Manifests;

/// <summary>
/// The comments of one document, each attached to a node read from it: those on the lines before the node, and the
/// one at the end of its line. A node built afresh has none; a node taken out takes its comments with it.
/// </summary>
internal sealed class YamlComments
{
    private readonly Dictionary<CommentKey, List<string>> _before = [];
    private readonly Dictionary<CommentKey, List<string>> _after = [];
    private readonly HashSet<YamlNode> _read = new(ReferenceEqualityComparer.Instance);

    public static YamlComments None { get; } = new();

    /// <summary>Gets the comments after the document's last node.</summary>
    public List<string> AtEnd { get; } = [];

    public void AddBefore(CommentKey node, IEnumerable<string> comments) => Add(_before, node, comments);

    public void AddAfter(CommentKey node, IEnumerable<string> comments) => Add(_after, node, comments);

    /// <summary>Records the nodes that were read (not built later): only they can carry the comments read with them.</summary>
    public void Adopt(YamlNode root)
    {
        foreach (var node in root.AllNodes)
        {
            _read.Add(node);
        }
    }

    public IReadOnlyList<string> Before(YamlNode node) => Of(_before, node);

    public IReadOnlyList<string> After(YamlNode node) => Of(_after, node);

    private IReadOnlyList<string> Of(Dictionary<CommentKey, List<string>> comments, YamlNode node) =>
        _read.Contains(node) && comments.TryGetValue(CommentKey.Of(node), out var found) ? found : [];

    private static void Add(Dictionary<CommentKey, List<string>> comments, CommentKey node, IEnumerable<string> values)
    {
        if (!comments.TryGetValue(node, out var list))
        {
            comments[node] = list = [];
        }

        list.AddRange(values);
    }
}
