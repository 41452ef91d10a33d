using System.Globalization;

namespace Mesh.Cli.Options;

/// <summary>The options given to a command, with typed getters that turn a malformed value into a <see cref="UsageException"/>.</summary>
internal sealed class ParsedOptions(IReadOnlyDictionary<string, string> values, IReadOnlySet<string> flags)
{
    public static ParsedOptions Empty { get; } = new(new Dictionary<string, string>(), new HashSet<string>());

    public bool Flag(string name) => flags.Contains(name);

    public string? Value(string name) => values.TryGetValue(name, out var value) ? value : null;

    /// <summary>A duration such as <c>500ms</c>, <c>10s</c>, <c>1m</c> or <c>2</c> (seconds), greater than zero and at most <paramref name="max"/>.</summary>
    public TimeSpan Duration(string name, TimeSpan defaultValue, TimeSpan? max = null)
    {
        if (Value(name) is not { } text)
        {
            return defaultValue;
        }

        if (!TryParseDuration(text, out var duration) || duration <= TimeSpan.Zero || duration > (max ?? TimeSpan.MaxValue))
        {
            var limit = max is { } m ? $", at most {FormatDuration(m)}" : "";
            throw new UsageException($"--{name} must be a duration such as 500ms, 10s or 1m (greater than zero{limit}), was '{text}'");
        }

        return duration;
    }

    /// <summary>A whole number of at least 1, or null when the option is absent.</summary>
    public int? PositiveInt(string name)
    {
        if (Value(name) is not { } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new UsageException($"--{name} must be a whole number of at least 1, was '{text}'");
    }

    /// <summary>A finite number of at least 0, or null when the option is absent.</summary>
    public double? NonNegative(string name)
    {
        if (Value(name) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n)
            ? n
            : throw new UsageException($"--{name} must be a number of at least 0, was '{text}'");
    }

    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalSeconds >= 60 && duration.TotalSeconds % 60 == 0 ? $"{duration.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
        : duration.TotalSeconds >= 1 ? $"{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
        : $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value * scale > TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
