using System.Globalization;

namespace Mesh.Configuration;

/// <summary>
/// Durations as configuration gives them: the .NET form (<c>00:00:05</c>, <c>1.00:00:00</c>) or a number with a unit
/// (<c>250ms</c>, <c>5s</c>, <c>1.5m</c>, <c>2h</c>, <c>1d</c>). A number alone is refused: the .NET form reads <c>5</c>
/// as five days, which is never what someone writing <c>Timeouts:Total=5</c> meant.
/// </summary>
public static class Duration
{
    private static readonly (string Unit, double Milliseconds)[] Units =
    [
        ("ms", 1),
        ("s", 1_000),
        ("m", 60_000),
        ("h", 3_600_000),
        ("d", 86_400_000),
    ];

    /// <summary>The forms accepted, for error messages.</summary>
    public const string Forms = "a duration such as 00:00:05, 5s, 250ms, 1m or 2h";

    /// <summary>Parses a duration in either form; false for a bare number or anything else.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.AsSpan().Trim();
        foreach (var (unit, ms) in Units)
        {
            // "m" after "ms", so "250ms" is never read as 250 minutes of "s".
            if (trimmed.EndsWith(unit, StringComparison.Ordinal) &&
                !(unit == "s" && trimmed.EndsWith("ms", StringComparison.Ordinal)) &&
                double.TryParse(trimmed[..^unit.Length], NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount) &&
                double.IsFinite(amount) && Math.Abs(amount * ms) <= TimeSpan.MaxValue.TotalMilliseconds)
            {
                value = TimeSpan.FromMilliseconds(amount * ms);
                return true;
            }
        }

        return !IsBareNumber(trimmed) && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Whether <paramref name="text"/> is a number with no unit (which TimeSpan would read as days).</summary>
    internal static bool IsBareNumber(ReadOnlySpan<char> text) =>
        double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    /// <summary>Formats a duration in the .NET form the configuration binder reads.</summary>
    public static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
