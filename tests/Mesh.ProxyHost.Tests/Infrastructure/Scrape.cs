using System.Globalization;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// Reads the sidecar's <c>/metrics</c> (Prometheus text) as Prometheus would, waiting out the exporter's cached scrape:
/// a metric's lines, the sum of its samples that carry given labels.
/// </summary>
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

    /// <summary>Gets the lines of <paramref name="text"/> that start with <paramref name="prefix"/> (a series and its <c>{</c>).</summary>
    public static IEnumerable<string> Lines(string text, string prefix) =>
        text.Split('\n').Where(line => line.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Waits for a scrape with a <c>mesh_requests_total</c> line holding every one of <paramref name="parts"/>, and returns it.</summary>
    public static Task<string> WithRequestsAsync(Sidecar sidecar, params string[] parts) =>
        UntilAsync(sidecar, text => Lines(text, "mesh_requests_total{").Any(line => parts.All(p => line.Contains(p, StringComparison.Ordinal))), $"mesh_requests_total with {string.Join(" ", parts)}");

    /// <summary>Waits for a scrape that has <paramref name="series"/> (e.g. <c>mesh_endpoint_ejections_total{</c>), and returns it.</summary>
    public static Task<string> WithSeriesAsync(Sidecar sidecar, string series) =>
        UntilAsync(sidecar, text => Lines(text, series).Any(), series);

    private static async Task<string> UntilAsync(Sidecar sidecar, Func<string, bool> holds, string what)
    {
        var text = "";
        await Eventually.TrueAsync(
            async () =>
            {
                text = await sidecar.GetAdminAsync("/metrics");
                return holds(text);
            },
            $"/metrics has {what}");
        return text;
    }
}
