using System.Globalization;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>Reads the sidecar's <c>/metrics</c> (Prometheus text): the sum of a metric's samples that carry given labels.</summary>
public static class Scrape
{
    public static double Sum(string text, string metric, params string[] labels)
    {
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    /// <summary>Waits until the metric's sum reaches <paramref name="atLeast"/> (the exporter may serve a cached scrape for a moment) and returns the sum.</summary>
    public static async Task<double> WaitForAsync(Sidecar sidecar, double atLeast, string metric, params string[] labels)
    {
        var sum = 0.0;
        await Eventually.TrueAsync(
            async () => (sum = Sum(await sidecar.GetAdminAsync("/metrics"), metric, labels)) >= atLeast,
            $"{metric}{{{string.Join(",", labels)}}} reaches {atLeast} (last {sum})");
        return sum;
    }
}
