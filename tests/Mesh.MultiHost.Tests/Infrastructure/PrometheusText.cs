using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.MultiHost.Tests.Infrastructure;

/// <summary>Reads samples out of Prometheus text exposition (what the sidecar's <c>/metrics</c> serves).</summary>
public static partial class PrometheusText
{
    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/> (<c>name="value"</c>).</summary>
    public static double Sum(string text, string metric, params string[] labels)
    {
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            var match = Sample().Match(line);
            if (match.Success && match.Groups["name"].Value == metric && labels.All(l => match.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            {
                sum += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>[-+0-9.eEInfNa]+)")]
    private static partial Regex Sample();
}
