using System.Text.Json;

namespace Mesh.Cli.Admin;

/// <summary>Requests or attempts over the window: <c>{"count","per_second","success_rate","latency_ms":{"p50","p95","p99"}}</c>.</summary>
internal sealed record Traffic(long Count, double PerSecond, double? SuccessRate, double? P50, double? P95, double? P99);

/// <summary>One endpoint of a service, as <c>/stats</c> shows it.</summary>
internal sealed record EndpointStats(string Endpoint, string State, string? Reason, int InFlight, double LatencyEstimateMs, Traffic Attempts);

/// <summary>One service in one direction, as <c>/stats</c> shows it.</summary>
internal sealed record ServiceStats(
    string Service,
    string Direction,
    Traffic Requests,
    Traffic Attempts,
    double RetriesPerSecond,
    IReadOnlyDictionary<string, double> RetriesByReason,
    double BudgetRemaining,
    IReadOnlyList<EndpointStats> Endpoints);

/// <summary>
/// The answer of <c>GET /stats</c> (written by <c>MeshAdminJson.WriteStats</c>), read with <see cref="JsonDocument"/>
/// so the CLI needs no reflection and tolerates fields it does not know.
/// </summary>
internal sealed record StatsReport(double WindowSeconds, IReadOnlyList<ServiceStats> Services)
{
    public static StatsReport Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var services = root.GetProperty("services").EnumerateArray().Select(ParseService).ToList();
            return new StatsReport(Number(root, "window_seconds") ?? 0, services);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new AdminException($"the admin endpoint did not answer with Mesh stats: {ex.Message}", ex);
        }
    }

    private static ServiceStats ParseService(JsonElement e)
    {
        var reasons = new Dictionary<string, double>(StringComparer.Ordinal);
        if (e.TryGetProperty("retries_by_reason", out var byReason) && byReason.ValueKind == JsonValueKind.Object)
        {
            foreach (var reason in byReason.EnumerateObject())
            {
                reasons[reason.Name] = reason.Value.GetDouble();
            }
        }

        var endpoints = e.TryGetProperty("endpoints", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(ParseEndpoint).ToList()
            : [];
        return new ServiceStats(
            e.GetProperty("service").GetString() ?? "",
            Text(e, "direction") ?? "",
            ParseTraffic(e, "requests"),
            ParseTraffic(e, "attempts"),
            Number(e, "retries_per_second") ?? 0,
            reasons,
            Number(e, "budget_remaining") ?? 0,
            endpoints);
    }

    private static EndpointStats ParseEndpoint(JsonElement e) => new(
        e.GetProperty("endpoint").GetString() ?? "",
        Text(e, "state") ?? "",
        Text(e, "reason"),
        (int)(Number(e, "in_flight") ?? 0),
        Number(e, "latency_estimate_ms") ?? 0,
        ParseTraffic(e, "attempts"));

    private static Traffic ParseTraffic(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Object)
        {
            return new Traffic(0, 0, null, null, null, null);
        }

        var latency = e.TryGetProperty("latency_ms", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        return new Traffic(
            (long)(Number(e, "count") ?? 0),
            Number(e, "per_second") ?? 0,
            Number(e, "success_rate"),
            Number(latency, "p50"),
            Number(latency, "p95"),
            Number(latency, "p99"));
    }

    private static double? Number(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
