using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Mesh.Cli.Manifests;

/// <summary>
/// Writes one document from YamlDotNet's representation model, with the comments read with it put back where they
/// were (<see cref="YamlComments"/>). Styles the model kept are kept (quoting, flow <c>[a, b]</c> and <c>{a: b}</c>,
/// literal blocks); block sequences are written as kubectl writes them (<c>- </c> under the key), lines are never
/// folded, and a node that appears twice (an anchor and its aliases) is written once with its alias after.
/// </summary>
internal sealed class YamlWriter
{
    private static readonly EmitterSettings Settings = new EmitterSettings().WithBestWidth(int.MaxValue);

    private readonly IEmitter _emitter;
    private readonly YamlComments _comments;
    private readonly HashSet<YamlNode> _anchored = new(ReferenceEqualityComparer.Instance);

    private YamlWriter(TextWriter output, YamlComments comments)
    {
        _emitter = new Emitter(output, Settings);
        _comments = comments;
    }

    /// <summary>The document as YAML text, ending with a line break; no <c>---</c> before it, no <c>...</c> after.</summary>
    public static string Write(YamlNode root, YamlComments comments)
    {
        using var output = new StringWriter();
        var writer = new YamlWriter(output, comments);
        writer._emitter.Emit(new StreamStart());
        writer._emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        writer.Node(root, inSequence: false, inFlow: false);
        writer.Comments(comments.AtEnd);
        writer._emitter.Emit(new DocumentEnd(isImplicit: true));
        writer._emitter.Emit(new StreamEnd());
        return output.ToString();
    }

    private void Node(YamlNode node, bool inSequence, bool inFlow)
    {
        if (!node.Anchor.IsEmpty && !_anchored.Add(node))
        {
            _emitter.Emit(new AnchorAlias(node.Anchor));
            return;
        }

        var before = inFlow ? [] : _comments.Before(node);
        switch (node)
        {
            case YamlScalarNode scalar:
                Comments(before);
                _emitter.Emit(new Scalar(scalar.Anchor, scalar.Tag, scalar.Value ?? "", scalar.Style, scalar.Tag.IsEmpty, scalar.Tag.IsEmpty));
                break;
            case YamlMappingNode mapping:
                var blockMapping = mapping.Style != MappingStyle.Flow && !inFlow;
                Collection(before, blockMapping, inSequence, new MappingStart(mapping.Anchor, mapping.Tag, mapping.Tag.IsEmpty, mapping.Style));
                foreach (var (key, value) in mapping.Children)
                {
                    Node(key, inSequence: false, inFlow: !blockMapping);
                    Node(value, inSequence: false, inFlow: !blockMapping);
                }

                _emitter.Emit(new MappingEnd());
                break;
            case YamlSequenceNode sequence:
                var blockSequence = sequence.Style != SequenceStyle.Flow && !inFlow;
                Collection(before, blockSequence, inSequence, new SequenceStart(sequence.Anchor, sequence.Tag, sequence.Tag.IsEmpty, sequence.Style));
                foreach (var item in sequence.Children)
                {
                    Node(item, inSequence: true, inFlow: !blockSequence);
                }

                _emitter.Emit(new SequenceEnd());
                break;
            default:
                throw new InvalidOperationException($"a {node.NodeType} node cannot be written");
        }

        if (!inFlow)
        {
            // The end of a scalar's or a flow collection's line; after a block, a line of its own.
            var block = node is YamlMappingNode { Style: not MappingStyle.Flow } or YamlSequenceNode { Style: not SequenceStyle.Flow };
            Comments(_comments.After(node), inline: !block);
        }
    }

    // A block mapping or sequence that is a mapping's value: its comments go inside, above its first entry, where the
    // emitter indents them as that entry. Anywhere else (the root, a sequence item, flow) they go before it.
    private void Collection(IReadOnlyList<string> before, bool block, bool inSequence, ParsingEvent start)
    {
        if (block && !inSequence)
        {
            _emitter.Emit(start);
            Comments(before);
        }
        else
        {
            Comments(before);
            _emitter.Emit(start);
        }
    }

    private void Comments(IReadOnlyList<string> comments, bool inline = false)
    {
        foreach (var comment in comments)
        {
            _emitter.Emit(new Comment(comment, inline));
        }
    }
}
