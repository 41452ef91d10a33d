using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Mesh.Admin;
using Mesh.Stats;
using Mesh.Tap;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.AspNetCore.Admin;

/// <summary>
/// The admin endpoints shared by the sidecar's admin port and an in-process app's <c>MapMeshAdmin()</c>:
/// <c>/stats</c>, <c>/tap</c> and the dashboard with its assets.
/// </summary>
public static class MeshAdminHandlers
{
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <c>GET /stats?window=10s&amp;service=orders</c>: every service (or only <c>service</c>, case-insensitive), with its
    /// endpoints and routes, over the window (<c>10s</c>, <c>30s</c>, <c>1m</c>; at most a minute).
    /// </summary>
    public static async Task StatsAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!TryParseWindow(context.Request.Query["window"].ToString(), out var window))
        {
            await BadRequestAsync(context, $"window must be a duration such as 10s, 30s or 1m (at most 1m), was '{context.Request.Query["window"]}'");
            return;
        }

        var only = context.Request.Query["service"].ToString();
        var stats = context.RequestServices.GetRequiredService<MeshStats>().Read(window, only.Length > 0 ? only : null);
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, stats, MeshAdminJsonContext.Default.StatsDocument, context.RequestAborted);
    }

    /// <summary>
    /// <c>GET /tap?service=&amp;direction=&amp;method=&amp;path=&amp;status=&amp;min_ms=&amp;endpoint=&amp;route=&amp;limit=&amp;rate=</c>: streams
    /// each matching request as one JSON object per line (<c>application/x-ndjson</c>), or as server-sent events when
    /// the client accepts <c>text/event-stream</c>, until the limit is reached or the client goes away.
    /// </summary>
    public static async Task TapAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = context.Request.Query;
        if (!TapQuery.TryParse(name => query[name].ToString(), out var tapQuery, out var error))
        {
            await BadRequestAsync(context, error);
            return;
        }

        // Subscribe before the headers go out: a client that acts on seeing them must not miss its own request.
        var tap = context.RequestServices.GetRequiredService<MeshTap>();
        using var subscription = tap.Subscribe(tapQuery);
        var sse = context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
        context.Response.ContentType = sse ? "text/event-stream" : "application/x-ndjson";
        context.Response.Headers.CacheControl = "no-store";
        // Starting the response does not put the headers on the wire; flush so the subscriber knows it is subscribed.
        await context.Response.StartAsync(context.RequestAborted);
        var body = context.Response.Body;
        await body.FlushAsync(context.RequestAborted);
        try
        {
            await foreach (var e in subscription.Events.ReadAllAsync(context.RequestAborted))
            {
                if (sse)
                {
                    await body.WriteAsync("data: "u8.ToArray(), context.RequestAborted);
                }

                await JsonSerializer.SerializeAsync(body, e, MeshAdminJsonContext.Default.TapEvent, context.RequestAborted);
                await body.WriteAsync(sse ? "\n\n"u8.ToArray() : "\n"u8.ToArray(), context.RequestAborted);
                await body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The subscriber went away.
        }
    }

    /// <summary>Serves the dashboard page and its assets (embedded: the dashboard works offline).</summary>
    public static async Task<bool> TryDashboardAsync(HttpContext context, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (resource, type) = relativePath switch
        {
            "" or "/" or "/index.html" => ("index.html", "text/html; charset=utf-8"),
            "/dashboard.js" => ("dashboard.js", "text/javascript; charset=utf-8"),
            "/dashboard.css" => ("dashboard.css", "text/css; charset=utf-8"),
            _ => (null, null),
        };
        if (resource is null)
        {
            return false;
        }

        await using var stream = typeof(MeshAdminHandlers).Assembly.GetManifestResourceStream($"Mesh.AspNetCore.Dashboard.{resource}")
            ?? throw new InvalidOperationException($"Dashboard asset {resource} is missing from the assembly.");
        context.Response.ContentType = type;
        context.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
        return true;
    }

    internal static bool TryParseWindow(string? text, out TimeSpan window)
    {
        window = DefaultWindow;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        text = text.Trim();
        var unit = text[^1];
        var number = char.IsAsciiDigit(unit) ? text : text[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return false;
        }

        window = unit switch
        {
            'm' => TimeSpan.FromMinutes(value),
            's' or (>= '0' and <= '9') => TimeSpan.FromSeconds(value),
            _ => TimeSpan.Zero,
        };
        return window > TimeSpan.Zero && window <= MeshStats.MaxWindow;
    }

    private static Task BadRequestAsync(HttpContext context, string error)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsync($"Mesh: {error}\n");
    }
}
