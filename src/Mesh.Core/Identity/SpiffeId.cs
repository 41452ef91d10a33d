using System.Diagnostics.CodeAnalysis;

namespace Mesh.Identity;

/// <summary>
/// A SPIFFE ID, <c>spiffe://&lt;trust-domain&gt;/&lt;path&gt;</c>, checked against the SPIFFE ID specification: a
/// lowercase trust domain of letters, digits, dots, dashes and underscores; path segments of letters, digits, dots,
/// dashes and underscores, none empty, <c>.</c> or <c>..</c>, and no trailing slash; no port, user, query or fragment;
/// 2048 bytes at most. Compared ordinally, as the specification asks.
/// </summary>
public sealed class SpiffeId
{
    /// <summary>The scheme and separator every SPIFFE ID starts with.</summary>
    public const string Prefix = "spiffe://";

    private const int MaxLength = 2048;
    private const int MaxTrustDomainLength = 255;

    private SpiffeId(string value, int pathStart)
    {
        Value = value;
        TrustDomain = value[Prefix.Length..pathStart];
        Path = value[pathStart..];
    }

    /// <summary>Gets the whole ID, e.g. <c>spiffe://example.org/ns/shop/sa/orders</c>.</summary>
    public string Value { get; }

    /// <summary>Gets the trust domain, e.g. <c>example.org</c>.</summary>
    public string TrustDomain { get; }

    /// <summary>Gets the path, e.g. <c>/ns/shop/sa/orders</c>; empty for the trust domain's own ID.</summary>
    public string Path { get; }

    /// <summary>Parses <paramref name="text"/>; false, with the reason, when it is not a SPIFFE ID.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SpiffeId? id, out string reason)
    {
        id = null;
        reason = Check(text, out var pathStart);
        if (reason.Length > 0)
        {
            return false;
        }

        id = new SpiffeId(text!, pathStart);
        return true;
    }

    /// <summary>Says whether <paramref name="trustDomain"/> is a valid trust domain name; empty when it is, else why not.</summary>
    public static string CheckTrustDomain(string trustDomain)
    {
        if (trustDomain.Length == 0)
        {
            return "has no trust domain (spiffe://<trust-domain>/...)";
        }

        if (trustDomain.Length > MaxTrustDomainLength)
        {
            return $"has a trust domain longer than {MaxTrustDomainLength} characters";
        }

        foreach (var c in trustDomain)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_'))
            {
                return $"has '{c}' in its trust domain (only lowercase letters, digits, '.', '-' and '_' are allowed)";
            }
        }

        return "";
    }

    /// <inheritdoc />
    public override string ToString() => Value;

    private static string Check(string? text, out int pathStart)
    {
        pathStart = 0;
        if (string.IsNullOrEmpty(text))
        {
            return "is empty";
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return "does not start with spiffe://";
        }

        if (text.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        var slash = text.IndexOf('/', Prefix.Length);
        pathStart = slash < 0 ? text.Length : slash;
        var trustDomain = CheckTrustDomain(text[Prefix.Length..pathStart]);
        return trustDomain.Length > 0 ? trustDomain : CheckPath(text.AsSpan(pathStart));
    }

    private static string CheckPath(ReadOnlySpan<char> path)
    {
        while (path.Length > 0)
        {
            // path[0] is '/': the segment runs to the next one.
            var next = path[1..].IndexOf('/');
            var segment = next < 0 ? path[1..] : path[1..(next + 1)];
            if (segment.Length == 0)
            {
                return "has an empty path segment (no '//' and no trailing '/')";
            }

            if (segment is "." or "..")
            {
                return "has a '.' or '..' path segment";
            }

            foreach (var c in segment)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
                {
                    return $"has '{c}' in its path (only letters, digits, '.', '-' and '_' are allowed)";
                }
            }

            path = next < 0 ? [] : path[(next + 1)..];
        }

        return "";
    }
}
