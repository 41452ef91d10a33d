namespace Mesh.Routing;

/// <summary>The path of a request's URI as it was written, read without allocating.</summary>
internal static class RequestPath
{
    /// <summary>
    /// Gets the path of <paramref name="uri"/> (<c>/orders/42</c> of <c>http://orders/orders/42?x=1</c>), as the caller
    /// wrote it: from the original text when that is the whole absolute URI (it is, for HttpClient's and YARP's), which
    /// costs no allocation; else the parsed path.
    /// </summary>
    public static ReadOnlySpan<char> Of(Uri? uri)
    {
        if (uri is null)
        {
            return "/";
        }

        var text = uri.OriginalString.AsSpan();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (!uri.IsAbsoluteUri || scheme <= 0)
        {
            return uri.IsAbsoluteUri ? uri.AbsolutePath : "/";
        }

        var rest = text[(scheme + 3)..];
        var start = rest.IndexOfAny('/', '?', '#');
        if (start < 0 || rest[start] != '/')
        {
            return "/";
        }

        var path = rest[start..];
        var end = path.IndexOfAny('?', '#');
        return end < 0 ? path : path[..end];
    }
}
