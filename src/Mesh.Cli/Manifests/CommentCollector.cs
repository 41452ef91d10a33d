using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Mesh.Cli.Manifests;

/// <summary>
/// Passes a parser's events on without its comments, which YamlDotNet's representation model cannot hold, and
/// attaches each to a node instead (<see cref="YamlComments"/>), so that a document written back keeps them:
/// <list type="bullet">
/// <item>comments on lines of their own go before the next node (a key, a sequence item, a value on the next line);</item>
/// <item>a comment at the end of a line goes after the node it follows, or, when a block mapping or sequence starts on
/// the next line (<c>env: # why</c>), becomes the first line of that block;</item>
/// <item>inside a flow collection (<c>[a, b]</c>) nothing is attached: a comment there waits for the next node outside it.</item>
/// </list>
/// </summary>
internal sealed class CommentCollector(IParser parser) : IParser
{
    private readonly List<string> _lines = [];
    private readonly List<string> _endOfLine = [];
    private readonly Stack<bool> _flow = new();
    private CommentKey? _last;

    /// <summary>Gets the comments of each document read so far, in order.</summary>
    public List<YamlComments> Documents { get; } = [];

    private YamlComments Comments => Documents[^1];

    public ParsingEvent? Current => parser.Current;

    public bool MoveNext()
    {
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case Comment { IsInline: true } comment:
                    _endOfLine.Add(comment.Value);
                    continue;
                case Comment comment:
                    _lines.Add(comment.Value);
                    continue;
                case NodeEvent node:
                    OnNode(node);
                    return true;
                case MappingEnd or SequenceEnd:
                    _flow.Pop();
                    EndOfLineGoesAfterLast();
                    return true;
                case DocumentStart:
                    Documents.Add(new YamlComments());
                    return true;
                case DocumentEnd:
                    OnDocumentEnd();
                    return true;
                default:
                    return true;
            }
        }

        return false;
    }

    private bool InFlow => _flow.Contains(true);

    private void OnNode(NodeEvent node)
    {
        var (type, flow) = node switch
        {
            MappingStart m => (YamlNodeType.Mapping, (bool?)(m.Style == MappingStyle.Flow)),
            SequenceStart s => (YamlNodeType.Sequence, (bool?)(s.Style == SequenceStyle.Flow)),
            _ => (YamlNodeType.Scalar, (bool?)null),
        };

        if (!InFlow)
        {
            var key = new CommentKey(node.Start.Index, type);
            if (_endOfLine.Count > 0)
            {
                // `key: # why` followed by a block: the comment opens the block. Otherwise it ends the node before.
                if (flow == false || _last is null)
                {
                    _lines.InsertRange(0, _endOfLine);
                    _endOfLine.Clear();
                }
                else
                {
                    EndOfLineGoesAfterLast();
                }
            }

            if (_lines.Count > 0)
            {
                Comments.AddBefore(key, _lines);
                _lines.Clear();
            }

            _last = key;
        }

        if (flow is { } isFlow)
        {
            _flow.Push(isFlow);
        }
    }

    private void OnDocumentEnd()
    {
        EndOfLineGoesAfterLast();
        Comments.AtEnd.AddRange(_endOfLine);
        Comments.AtEnd.AddRange(_lines);
        _endOfLine.Clear();
        _lines.Clear();
        _last = null;
    }

    // A comment at the end of a line whose block then closed (`value: x # why` as a mapping's last entry) ends that line.
    private void EndOfLineGoesAfterLast()
    {
        if (_endOfLine.Count > 0 && _last is { } last)
        {
            Comments.AddAfter(last, _endOfLine);
            _endOfLine.Clear();
        }
    }
}
