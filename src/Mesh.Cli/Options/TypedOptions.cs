using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Mesh.Cli.Options;

/// <summary>Reads an option's text as a <typeparamref name="T"/>; false when it is not one.</summary>
internal delegate bool TryParse<T>(string text, out T value);

/// <summary>Reads an option's text as a <typeparamref name="T"/>; false, with the reason, when it is not one.</summary>
internal delegate bool TryParseWithReason<T>(string text, out T value, out string reason);

/// <summary>
/// Options whose value System.CommandLine parses with Mesh's rules, so a malformed value is a usage error (exit 2)
/// that names the option, says what it must be and what it was: <c>--window must be a duration such as 500ms, 10s or
/// 1m (greater than zero, at most 1m), was '5m'</c>.
/// </summary>
internal static class TypedOptions
{
    /// <summary>An option with a value that <paramref name="tryParse"/> reads; <paramref name="expected"/> completes "must be …".</summary>
    public static Option<T> Create<T>(string name, string helpName, string description, TryParse<T> tryParse, string expected, params string[] completions) =>
        Create(name, helpName, description, (string text, out T value, out string reason) =>
        {
            reason = "";
            return tryParse(text, out value);
        }, expected, completions);

    /// <summary>As the other overload, with <paramref name="tryParse"/>'s reason after the value: <c>…, was '0-9': 0 is not a port (1-65535)</c>.</summary>
    public static Option<T> Create<T>(string name, string helpName, string description, TryParseWithReason<T> tryParse, string expected, params string[] completions)
    {
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result => Parse(result, name, helpName, tryParse, expected),
        };
        option.CompletionSources.Clear();
        if (completions.Length > 0)
        {
            option.CompletionSources.Add(completions);
        }

        return option;
    }

    /// <summary>Any text but a blank one.</summary>
    public static Option<string?> Text(string name, string helpName, string description, params string[] completions) =>
        Create<string?>(name, helpName, description, static (string text, out string? value) => (value = text) is not null, "text", completions);

    /// <summary>One of a few words, each standing for a value (case ignored): <c>--output table|json</c>; null when absent.</summary>
    public static Option<T?> Choice<T>(string name, string description, params (string Word, T Value)[] choices)
        where T : struct
    {
        var words = choices.Select(c => c.Word).ToArray();
        return Create<T?>(name, string.Join('|', words), description, (string text, out T? value) =>
        {
            value = choices.Where(c => c.Word.Equals(text, StringComparison.OrdinalIgnoreCase)).Select(c => (T?)c.Value).FirstOrDefault();
            return value is not null;
        }, string.Join(" or ", words), words);
    }

    /// <summary>A duration such as <c>500ms</c>, <c>10s</c>, <c>1m</c>, <c>24h</c>, <c>30d</c> or <c>2</c> (seconds), greater than zero and at most <paramref name="max"/>; null when absent.</summary>
    public static Option<TimeSpan?> Duration(string name, string description, TimeSpan? max = null)
    {
        var limit = max is { } m ? $", at most {FormatDuration(m)}" : "";
        return Create<TimeSpan?>(name, "duration", description, (string text, out TimeSpan? value) =>
        {
            value = TryParseDuration(text, out var duration) && duration > TimeSpan.Zero && duration <= (max ?? TimeSpan.MaxValue) ? duration : null;
            return value is not null;
        }, $"a duration such as 500ms, 10s or 1m (greater than zero{limit})");
    }

    /// <summary>A whole number of at least 1; null when absent.</summary>
    public static Option<int?> PositiveInt(string name, string helpName, string description) =>
        Create<int?>(name, helpName, description, static (string text, out int? value) =>
        {
            value = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
            return value is not null;
        }, "a whole number of at least 1");

    /// <summary>A finite number of at least 0; null when absent.</summary>
    public static Option<double?> NonNegative(string name, string helpName, string description) =>
        Create<double?>(name, helpName, description, static (string text, out double? value) =>
        {
            value = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n) ? n : null;
            return value is not null;
        }, "a number of at least 0");

    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalSeconds >= 60 && duration.TotalSeconds % 60 == 0 ? $"{duration.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
        : duration.TotalSeconds >= 1 ? $"{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
        : $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";

    private static T Parse<T>(ArgumentResult result, string name, string helpName, TryParseWithReason<T> tryParse, string expected)
    {
        // The arity (one value) is System.CommandLine's to enforce; it reports a missing value itself.
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
        if (string.IsNullOrWhiteSpace(text))
        {
            result.AddError($"{name} needs a value: {name} <{helpName}>");
            return default!;
        }

        if (!tryParse(text.Trim(), out var value, out var reason))
        {
            result.AddError($"{name} must be {expected}, was '{text}'{(reason.Length > 0 ? $": {reason}" : "")}");
        }

        return value;
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ when text.EndsWith('d') || text.EndsWith('D') => (text[..^1], 86400.0),
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
