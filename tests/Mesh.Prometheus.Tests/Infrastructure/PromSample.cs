using System.Globalization;
using System.Text.Json;

namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>One series of an instant query's answer: its labels, the evaluation time (Unix seconds) and its value.</summary>
public sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Time, double Value)
{
    public static PromSample FromJson(JsonElement element)
    {
        var labels = element.GetProperty("metric").EnumerateObject().ToDictionary(static p => p.Name, static p => p.Value.GetString() ?? "");
        var value = element.GetProperty("value");
        return new PromSample(labels, value[0].GetDouble(), double.Parse(value[1].GetString()!, CultureInfo.InvariantCulture));
    }

    public override string ToString() =>
        "{" + string.Join(",", Labels.Select(static l => $"{l.Key}=\"{l.Value}\"")) + "} " + Value.ToString("R", CultureInfo.InvariantCulture);
}
