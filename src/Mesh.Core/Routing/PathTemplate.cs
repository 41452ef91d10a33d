namespace Mesh.Routing;

/// <summary>
/// A route's path template, compiled when its policy is built: literal segments, <c>{name}</c> segments matching any one
/// non-empty segment, and a last <c>{*name}</c> (or <c>{**name}</c>) matching whatever follows, even nothing. Matching
/// walks the path's segments in place: no allocation, no regular expression.
/// </summary>
internal sealed class PathTemplate
{
    // A literal segment, or null for a parameter.
    private readonly string?[] _segments;
    private readonly bool _catchAll;

    private PathTemplate(string?[] segments, bool catchAll)
    {
        _segments = segments;
        _catchAll = catchAll;
    }

    /// <summary>Parses a template such as <c>/orders/{id}</c>; false with the reason when it is not one.</summary>
    public static bool TryParse(string text, out PathTemplate template, out string error)
    {
        template = null!;
        error = "";
        if (!text.StartsWith('/'))
        {
            error = "must start with /";
            return false;
        }

        var parts = text.Length == 1 ? [] : text[1..].TrimEnd('/').Split('/');
        var segments = new string?[parts.Length];
        var catchAll = false;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                error = "must not have an empty segment (//)";
                return false;
            }

            var isParameter = part.Length > 2 && part[0] == '{' && part[^1] == '}' && part.IndexOf('{', 1) < 0 && part.IndexOf('}', 0, part.Length - 1) < 0;
            if (!isParameter && (part.Contains('{', StringComparison.Ordinal) || part.Contains('}', StringComparison.Ordinal)))
            {
                error = $"segment '{part}' must be a literal or a whole {{parameter}}";
                return false;
            }

            if (isParameter && part[1] == '*')
            {
                if (i != parts.Length - 1 || part.TrimStart('{', '*').Length <= 1)
                {
                    error = $"a catch-all segment ('{part}') must be the last and be named";
                    return false;
                }

                catchAll = true;
                Array.Resize(ref segments, i);
                break;
            }

            segments[i] = isParameter ? null : part;
        }

        template = new PathTemplate(segments, catchAll);
        return true;
    }

    /// <summary>Whether <paramref name="path"/> (starting with <c>/</c>) matches; one trailing slash does not count.</summary>
    public bool Matches(ReadOnlySpan<char> path)
    {
        if (path.Length > 1 && path[^1] == '/')
        {
            path = path[..^1];
        }

        var rest = path.Length > 0 && path[0] == '/' ? path[1..] : path;
        foreach (var literal in _segments)
        {
            if (rest.IsEmpty)
            {
                return false;
            }

            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.IsEmpty || (literal is not null && !segment.SequenceEqual(literal)))
            {
                return false;
            }

            rest = slash < 0 ? [] : rest[(slash + 1)..];
            if (slash >= 0 && rest.IsEmpty && !_catchAll)
            {
                // "/a/" was cut to "/a" above; a slash left here means an empty segment follows ("/a//").
                return false;
            }
        }

        return _catchAll || rest.IsEmpty;
    }
}
