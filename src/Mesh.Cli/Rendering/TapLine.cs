using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mesh.Cli.Rendering;

/// <summary>
/// One tapped request as one readable line, e.g.
/// <c>14:03:07.412 outbound orders GET /work 503 12.4ms 127.0.0.1:5001 retries=2(status_503,status_503)</c>.
/// </summary>
internal static class TapLine
{
    public static string Format(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Format(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            // Not an event this CLI understands: show it as it came rather than hide it.
            return json;
        }
    }

    private static string Format(JsonElement e)
    {
        var line = new StringBuilder();
        var time = Text(e, "time");
        line.Append(time is not null && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)
            : time ?? Rendering.Format.None);
        line.Append(' ').Append((Text(e, "direction") ?? "").PadRight(8));
        line.Append(' ').Append(Text(e, "service") ?? Rendering.Format.None);
        line.Append(' ').Append((Text(e, "method") ?? "").PadRight(6));
        line.Append(' ').Append(Text(e, "path") ?? "/");
        line.Append(' ').Append(e.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number
            ? status.GetInt32().ToString(CultureInfo.InvariantCulture)
            : "error");
        line.Append(' ').Append(Rendering.Format.Ms(e.TryGetProperty("duration_ms", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : null)).Append("ms");
        line.Append(' ').Append(Text(e, "endpoint") ?? Rendering.Format.None);
        if (e.TryGetProperty("retries", out var retries) && retries.ValueKind == JsonValueKind.Array && retries.GetArrayLength() > 0)
        {
            var reasons = retries.EnumerateArray().Select(r => r.GetString());
            line.Append(" retries=").Append(retries.GetArrayLength()).Append('(').AppendJoin(',', reasons).Append(')');
        }

        if (Text(e, "retry_skipped") is { } skipped)
        {
            line.Append(" retry_skipped=").Append(skipped);
        }

        return line.ToString();
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
