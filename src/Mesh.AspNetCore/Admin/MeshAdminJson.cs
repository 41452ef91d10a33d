using System.Text.Json;
using Mesh.Stats;
using Mesh.Tap;

namespace Mesh.AspNetCore.Admin;

/// <summary>The JSON of <c>/stats</c> and <c>/tap</c>, written by hand so it needs no reflection (trimming and NativeAOT safe).</summary>
internal static class MeshAdminJson
{
    public static void WriteStats(Utf8JsonWriter json, TimeSpan window, IReadOnlyList<ServiceSnapshot> services)
    {
        json.WriteStartObject();
        json.WriteNumber("window_seconds", window.TotalSeconds);
        json.WriteStartArray("services");
        foreach (var service in services)
        {
            json.WriteStartObject();
            json.WriteString("service", service.Service);
            json.WriteString("direction", service.Direction);
            WriteTraffic(json, "requests", service.Requests);
            WriteTraffic(json, "attempts", service.Attempts);
            json.WriteNumber("retries_per_second", service.RetriesPerSecond.Values.Sum());
            json.WriteStartObject("retries_by_reason");
            foreach (var (reason, rate) in service.RetriesPerSecond)
            {
                json.WriteNumber(reason, rate);
            }

            json.WriteEndObject();
            json.WriteNumber("budget_remaining", Math.Round(service.BudgetRemaining, 2));
            json.WriteStartArray("endpoints");
            foreach (var endpoint in service.Endpoints)
            {
                json.WriteStartObject();
                json.WriteString("endpoint", endpoint.Endpoint);
                json.WriteString("state", endpoint.State);
                if (endpoint.Reason is null)
                {
                    json.WriteNull("reason");
                }
                else
                {
                    json.WriteString("reason", endpoint.Reason);
                }

                json.WriteNumber("in_flight", endpoint.InFlight);
                json.WriteNumber("latency_estimate_ms", Math.Round(endpoint.LatencyEstimate.TotalMilliseconds, 3));
                WriteTraffic(json, "attempts", endpoint.Traffic);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteTap(Utf8JsonWriter json, TapEvent e)
    {
        json.WriteStartObject();
        json.WriteString("time", e.Time);
        json.WriteString("direction", e.Direction);
        json.WriteString("service", e.Service);
        json.WriteString("method", e.Method);
        json.WriteString("authority", e.Authority);
        json.WriteString("path", e.Path);
        WriteNumberOrNull(json, "status", e.Status);
        json.WriteNumber("duration_ms", Math.Round(e.DurationMs, 3));
        json.WriteString("classification", e.Classification);
        WriteStringOrNull(json, "endpoint", e.Endpoint);
        json.WriteStartArray("attempts");
        foreach (var attempt in e.Attempts)
        {
            json.WriteStartObject();
            json.WriteString("endpoint", attempt.Endpoint);
            json.WriteString("outcome", attempt.Outcome);
            WriteNumberOrNull(json, "status", attempt.Status);
            json.WriteNumber("duration_ms", Math.Round(attempt.DurationMs, 3));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("retries");
        foreach (var reason in e.Retries)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();
        WriteStringOrNull(json, "retry_skipped", e.RetrySkipped);
        WriteStringOrNull(json, "trace_id", e.TraceId);
        json.WriteEndObject();
    }

    private static void WriteTraffic(Utf8JsonWriter json, string name, TrafficSnapshot traffic)
    {
        json.WriteStartObject(name);
        json.WriteNumber("count", traffic.Count);
        json.WriteNumber("per_second", Math.Round(traffic.PerSecond, 3));
        if (traffic.SuccessRate is { } rate)
        {
            json.WriteNumber("success_rate", Math.Round(rate, 5));
        }
        else
        {
            json.WriteNull("success_rate");
        }

        json.WriteStartObject("latency_ms");
        WriteMs(json, "p50", traffic.P50);
        WriteMs(json, "p95", traffic.P95);
        WriteMs(json, "p99", traffic.P99);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteMs(Utf8JsonWriter json, string name, TimeSpan? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v.TotalMilliseconds, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
