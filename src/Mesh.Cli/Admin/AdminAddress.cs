namespace Mesh.Cli.Admin;

/// <summary>
/// Turns <c>--admin</c> into a base address: <c>127.0.0.1:4191</c> (the sidecar's admin port), <c>http://host:port</c>,
/// or <c>http://host:port/mesh</c> for an in-process app's <c>MapMeshAdmin("/mesh")</c>. The result ends with <c>/</c>
/// so relative paths (<c>stats</c>, <c>tap</c>) resolve under the prefix.
/// </summary>
internal static class AdminAddress
{
    /// <summary>The sidecar's admin listener by default (<c>Mesh:Admin:Listen</c>).</summary>
    public static Uri Default { get; } = new("http://127.0.0.1:4191/");

    public static bool TryParse(string text, out Uri address)
    {
        address = Default;
        text = text.Trim();
        var hasScheme = text.Contains("://", StringComparison.Ordinal);
        if (!Uri.TryCreate(hasScheme ? text : "http://" + text, UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("http" or "https") ||
            !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) ||
            (!hasScheme && (uri.IsDefaultPort && !text.EndsWith(":80", StringComparison.Ordinal) || uri.AbsolutePath != "/")))
        {
            return false;
        }

        address = uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
        return true;
    }
}
