using System.Globalization;

namespace Mesh.Cli.Rendering;

/// <summary>How numbers look in tables and tap lines: invariant culture, a dash for "no data".</summary>
internal static class Format
{
    public const string None = "-";

    public static string Rate(double perSecond) => perSecond.ToString(perSecond >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);

    public static string Percent(double? ratio) => ratio is { } r ? (r * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%" : None;

    public static string Ms(double? ms) => ms is { } m ? m.ToString(m >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture) : None;

    public static string Count(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
