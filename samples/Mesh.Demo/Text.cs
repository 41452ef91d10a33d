using System.Globalization;
using System.Text;

namespace Mesh.Demo;

/// <summary>Culture-invariant formatting shared by the live table and the summary.</summary>
internal static class Text
{
    public static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary><paramref name="part"/> as a percentage of <paramref name="whole"/>, or 0 when there is no whole.</summary>
    public static double Percent(long part, long whole) => whole == 0 ? 0 : 100.0 * part / whole;

    public static string Format(CompositeFormat format, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);

    public static string Format(string format, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);

    /// <summary>Counts by name, largest first, as <c>name count, name count</c>; <paramref name="none"/> when empty.</summary>
    public static string Counts(IReadOnlyDictionary<string, long> counts, string none)
    {
        if (counts.Count == 0)
        {
            return none;
        }

        var parts = new List<string>(counts.Count);
        foreach (var (name, count) in counts.OrderByDescending(static pair => pair.Value).ThenBy(static pair => pair.Key, StringComparer.Ordinal))
        {
            parts.Add(Format("{0} {1}", name, count));
        }

        return string.Join(", ", parts);
    }
}
