using System.Globalization;

namespace Mesh.Classification;

/// <summary>
/// A set of HTTP status codes from 100 to 599, written as configuration gives it: codes, ranges and classes separated by
/// commas (<c>429,502-504</c>, <c>5xx</c>); empty is none. A bitset, so asking costs a shift and a mask.
/// </summary>
internal readonly struct StatusCodeSet
{
    /// <summary>The forms accepted, for error messages.</summary>
    public const string Forms = "HTTP status codes (100 to 599), ranges or classes separated by commas, e.g. 429,502-504 or 5xx; empty for none";

    private const int Max = 599;

    private readonly ulong[]? _bits;

    private StatusCodeSet(ulong[] bits) => _bits = bits;

    /// <summary>Whether <paramref name="status"/> is in the set; a status over 599 is read as 599.</summary>
    public bool Contains(int status)
    {
        if (_bits is null || status < 0)
        {
            return false;
        }

        status = Math.Min(status, Max);
        return (_bits[status >> 6] & (1UL << (status & 63))) != 0;
    }

    /// <summary>Parses <paramref name="text"/>; false with the item that is not a code, range or class.</summary>
    public static bool TryParse(string text, out StatusCodeSet set, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bits = new ulong[(Max >> 6) + 1];
        set = default;
        error = "";
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0 && text.Trim().Length == 0)
            {
                continue;
            }

            if (!TryRange(raw, out var from, out var to))
            {
                error = $"'{raw}' is not a status from 100 to 599, a range of them (502-504) or a class (5xx)";
                return false;
            }

            for (var status = from; status <= to; status++)
            {
                bits[status >> 6] |= 1UL << (status & 63);
            }
        }

        set = new StatusCodeSet(bits);
        return true;
    }

    /// <summary>Parses text already validated; throws <see cref="InvalidOperationException"/> naming <paramref name="key"/> otherwise.</summary>
    public static StatusCodeSet Parse(string text, string key) =>
        TryParse(text, out var set, out var error) ? set : throw new InvalidOperationException($"Mesh: {key} must be {Forms}: {error}");

    private static bool TryRange(string item, out int from, out int to)
    {
        from = to = 0;
        if (item.Length == 3 && item[0] is >= '1' and <= '5' && item[1] is 'x' or 'X' && item[2] is 'x' or 'X')
        {
            from = (item[0] - '0') * 100;
            to = from + 99;
            return true;
        }

        var dash = item.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? TryCode(item, out from) && TryCode(item, out to)
            : TryCode(item[..dash].Trim(), out from) && TryCode(item[(dash + 1)..].Trim(), out to) && from <= to;
    }

    private static bool TryCode(string text, out int code) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code) && code is >= 100 and <= Max;
}
