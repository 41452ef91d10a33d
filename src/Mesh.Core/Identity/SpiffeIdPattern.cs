using System.Diagnostics.CodeAnalysis;

namespace Mesh.Identity;

/// <summary>
/// The SPIFFE IDs a peer may have: an exact ID (<c>spiffe://example.org/ns/shop/sa/orders</c>), or one with <c>*</c>
/// standing for any characters within one path segment (<c>spiffe://example.org/ns/*/sa/orders</c>), or, at the end,
/// for the rest of the ID whatever it holds (<c>spiffe://example.org/ns/shop/*</c>: every workload of namespace shop;
/// <c>spiffe://example.org/*</c>: every workload of the trust domain). <c>*</c> alone matches any SPIFFE ID. The
/// pattern is checked as an ID with each <c>*</c> standing for a letter, so a typo fails at start, not at the first call.
/// </summary>
internal sealed class SpiffeIdPattern
{
    /// <summary>The pattern that matches every SPIFFE ID.</summary>
    public const string Any = "*";

    private SpiffeIdPattern(string text) => Text = text;

    /// <summary>Gets the pattern as configured.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; false, with the reason, when it is neither a SPIFFE ID nor a pattern of one.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SpiffeIdPattern? pattern, out string reason)
    {
        pattern = null;
        if (text == Any)
        {
            pattern = new SpiffeIdPattern(text);
            reason = "";
            return true;
        }

        if (!SpiffeId.TryParse(text?.Replace('*', 'x'), out _, out reason))
        {
            return false;
        }

        pattern = new SpiffeIdPattern(text!);
        return true;
    }

    /// <summary>Whether <paramref name="id"/> is one of the IDs the pattern stands for.</summary>
    public bool Matches(string id) => Match(Text, id);

    /// <inheritdoc />
    public override string ToString() => Text;

    // Glob matching: '*' takes any run of characters but '/', except as the pattern's last character, where it takes
    // everything left. Patterns hold few stars; the backtracking is bounded by the ID's length for each.
    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> id)
    {
        while (pattern.Length > 0)
        {
            if (pattern[0] == '*')
            {
                if (pattern.Length == 1)
                {
                    return true;
                }

                for (var i = 0; ; i++)
                {
                    if (Match(pattern[1..], id[i..]))
                    {
                        return true;
                    }

                    if (i == id.Length || id[i] == '/')
                    {
                        return false;
                    }
                }
            }

            if (id.Length == 0 || id[0] != pattern[0])
            {
                return false;
            }

            pattern = pattern[1..];
            id = id[1..];
        }

        return id.Length == 0;
    }
}
