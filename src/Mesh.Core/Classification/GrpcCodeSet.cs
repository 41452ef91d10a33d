using System.Globalization;

namespace Mesh.Classification;

/// <summary>
/// A set of gRPC status codes, written as configuration gives it: names as gRPC spells them (<c>UNAVAILABLE</c>,
/// <c>DEADLINE_EXCEEDED</c>; any case, <c>-</c> for <c>_</c>) or numbers 0 to 16, separated by commas; empty is none.
/// </summary>
internal readonly struct GrpcCodeSet
{
    /// <summary>The forms accepted, for error messages.</summary>
    public const string Forms = "gRPC status names (UNAVAILABLE, DEADLINE_EXCEEDED, ...) or codes 0 to 16 separated by commas; empty for none";

    private readonly int _bits;

    private GrpcCodeSet(int bits) => _bits = bits;

    /// <summary>Whether <paramref name="code"/> is in the set.</summary>
    public bool Contains(GrpcStatusCode code) => (uint)code <= (uint)GrpcStatusCode.Unauthenticated && (_bits & (1 << (int)code)) != 0;

    /// <summary>Parses <paramref name="text"/>; false with the item that names no gRPC status.</summary>
    public static bool TryParse(string text, out GrpcCodeSet set, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bits = 0;
        set = default;
        error = "";
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryCode(item, out var code))
            {
                error = $"'{item}' is not a gRPC status (a name such as UNAVAILABLE, or a code from 0 to 16)";
                return false;
            }

            bits |= 1 << (int)code;
        }

        set = new GrpcCodeSet(bits);
        return true;
    }

    /// <summary>Parses text already validated; throws <see cref="InvalidOperationException"/> naming <paramref name="key"/> otherwise.</summary>
    public static GrpcCodeSet Parse(string text, string key) =>
        TryParse(text, out var set, out var error) ? set : throw new InvalidOperationException($"Mesh: {key} must be {Forms}: {error}");

    private static bool TryCode(string item, out GrpcStatusCode code)
    {
        if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            code = (GrpcStatusCode)number;
            return number is >= 0 and <= (int)GrpcStatusCode.Unauthenticated;
        }

        // DEADLINE_EXCEEDED, deadline-exceeded and DeadlineExceeded all name the same status.
        var name = item.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return Enum.TryParse(name, ignoreCase: true, out code) && Enum.IsDefined(code) && !int.TryParse(name, out _);
    }
}
