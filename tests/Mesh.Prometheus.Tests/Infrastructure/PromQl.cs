using System.Text.RegularExpressions;

namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>The series names a PromQL expression reads, found by a small scanner (no full parser).</summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Keywords = ["and", "or", "unless", "bool", "offset", "inf", "nan"];

    /// <summary>Every identifier that names series: not a function (followed by "("), keyword, label or string.</summary>
    public static IReadOnlyList<string> SeriesNames(string expr)
    {
        var text = Strings().Replace(expr, "\"\"");
        text = Matchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = LabelLists().Replace(text, " ");
        return [.. Identifiers().Matches(text).Select(static m => m.Value).Where(static name => !Keywords.Contains(name.ToLowerInvariant())).Distinct()];
    }

    /// <summary>The series a Grafana <c>label_values(selector, label)</c> variable query reads.</summary>
    public static IReadOnlyList<string> LabelValuesSeries(string query) =>
        LabelValues().Match(query) is { Success: true } m ? SeriesNames(m.Groups[1].Value) : [];

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex LabelLists();

    // Atomic, so that "rate(" does not give "rat"; not after a digit, so that "0.5" gives nothing.
    [GeneratedRegex(@"(?<![A-Za-z0-9_:.])(?>[A-Za-z_:][A-Za-z0-9_:]*)(?!\s*\()")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"^\s*label_values\(\s*(.+),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$")]
    private static partial Regex LabelValues();
}
