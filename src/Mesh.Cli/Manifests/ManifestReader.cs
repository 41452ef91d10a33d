using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Cli.Manifests;

/// <summary>
/// Reads a multi-document YAML stream (what <c>kubectl apply -f</c> takes) into <see cref="ManifestChunk"/>s: the text
/// is cut at its <c>---</c> lines (a line starting with <c>---</c> and then nothing, a space or a tab, which YAML never
/// reads as anything but a document marker), and each piece is parsed on its own with YamlDotNet, comments kept
/// (<see cref="CommentCollector"/>). Joining the chunks' texts gives back the input exactly.
/// </summary>
internal static class ManifestReader
{
    /// <summary>Reads <paramref name="text"/>; throws <see cref="ManifestFormatException"/> naming the line when it is not YAML.</summary>
    public static IReadOnlyList<ManifestChunk> Read(string text)
    {
        var chunks = new List<ManifestChunk>();
        foreach (var (start, length, firstLine) in Split(text))
        {
            var chunkText = text.Substring(start, length);
            var (documents, commentsKept) = Parse(chunkText, firstLine);
            chunks.Add(new ManifestChunk(chunkText, firstLine, IsMarker(chunkText), documents, commentsKept));
        }

        return chunks;
    }

    // The documents, read twice: without comments first, which is YAML's verdict (and the error a user sees); then with
    // them. YamlDotNet's parser, when it keeps comments, stops short on a stream of comments alone, and refuses a comment
    // after a flow collection inside a block mapping (`args: [a] # why` under a key); there the first reading stands,
    // without comments.
    private static (List<ManifestDocument> Documents, bool CommentsKept) Parse(string text, int firstLine)
    {
        var plain = Load(new Parser(new StringReader(text)), firstLine);
        if (plain.Documents.Count == 0)
        {
            return ([], true);
        }

        var collector = new CommentCollector(new Parser(new Scanner(new StringReader(text), skipComments: false)));
        YamlStream stream;
        try
        {
            stream = Load(collector, firstLine);
        }
        catch (ManifestFormatException)
        {
            return ([.. plain.Documents.Select(d => new ManifestDocument(d.RootNode, YamlComments.None))], false);
        }

        return ([.. stream.Documents.Select((d, i) =>
        {
            var comments = collector.Documents[i];
            comments.Adopt(d.RootNode);
            return new ManifestDocument(d.RootNode, comments);
        })], true);
    }

    private static YamlStream Load(IParser parser, int firstLine)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
            return stream;
        }
        catch (YamlException ex)
        {
            // YamlDotNet counts lines and columns from 1 within the chunk.
            throw new ManifestFormatException($"line {ex.Start.Line + firstLine - 1}, column {ex.Start.Column}: {Reason(ex)}", ex);
        }
    }

    // The innermost message says what the parser found; the outer ones only repeat where.
    private static string Reason(YamlException ex)
    {
        var inner = ex;
        while (inner.InnerException is YamlException next)
        {
            inner = next;
        }

        return inner.Message.TrimEnd('.');
    }

    // Each chunk's (start, length, first line): cut before every line that is a --- marker.
    private static IEnumerable<(int Start, int Length, int FirstLine)> Split(string text)
    {
        var chunkStart = 0;
        var chunkLine = 1;
        var line = 1;
        for (var position = 0; position < text.Length;)
        {
            var end = text.IndexOf('\n', position);
            var next = end < 0 ? text.Length : end + 1;
            if (position > chunkStart && IsMarker(text.AsSpan(position)))
            {
                yield return (chunkStart, position - chunkStart, chunkLine);
                chunkStart = position;
                chunkLine = line;
            }

            position = next;
            line++;
        }

        if (text.Length > chunkStart || chunkStart == 0)
        {
            yield return (chunkStart, text.Length - chunkStart, chunkLine);
        }
    }

    private static bool IsMarker(ReadOnlySpan<char> line) =>
        line.StartsWith("---", StringComparison.Ordinal) && (line.Length == 3 || line[3] is ' ' or '\t' or '\r' or '\n');
}
