using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.AspNetCore.Admin;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.ProxyHost.Features.Admin;

/// <summary>
/// The admin listener (loopback by default): the dashboard at <c>/</c>, <c>/stats</c>, <c>/tap</c>, <c>/metrics</c>
/// (Prometheus text), <c>/ready</c>, <c>/live</c> and <c>/config</c> (the effective configuration and the last reload).
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IApplicationBuilder admin)
    {
        admin.UseOpenTelemetryPrometheusScrapingEndpoint(static context => context.Request.Path == "/metrics");
        admin.Run(static async context =>
        {
            // Probes and scrapes may come from the node when the admin port is bound wide; what shows traffic or
            // configuration (tap, stats, config, dashboard) answers only callers on this machine.
            var path = context.Request.Path.Value;
            if (path is not ("/live" or "/ready") && !MeshAdminExtensions.IsLoopback(context.Connection.RemoteIpAddress))
            {
                context.Response.StatusCode = 403;
                await context.Response.WriteAsync("Mesh admin: only /ready, /live and /metrics answer callers from other hosts.\n");
                return;
            }

            switch (path)
            {
                case "/live":
                    await context.Response.WriteAsync("live\n");
                    break;
                case "/ready":
                    var readiness = context.RequestServices.GetRequiredService<Readiness>();
                    context.Response.StatusCode = readiness.IsReady ? 200 : 503;
                    await context.Response.WriteAsync(readiness.IsReady ? "ready\n" : readiness.IsDraining ? "draining\n" : "starting\n");
                    break;
                case "/stats":
                    await MeshAdminHandlers.StatsAsync(context);
                    break;
                case "/tap":
                    await MeshAdminHandlers.TapAsync(context);
                    break;
                case "/config":
                    context.Response.ContentType = "application/json";
                    await JsonSerializer.SerializeAsync(context.Response.Body, Config(context.RequestServices), ConfigJsonContext.Default.ConfigDocument, context.RequestAborted);
                    break;
                default:
                    if (!await MeshAdminHandlers.TryDashboardAsync(context, context.Request.Path.Value ?? "/"))
                    {
                        context.Response.StatusCode = 404;
                        await context.Response.WriteAsync("Mesh admin: / (dashboard), /stats, /tap, /metrics, /ready, /live, /config\n");
                    }

                    break;
            }
        });
    }

    private static ConfigDocument Config(IServiceProvider services)
    {
        var effective = services.GetRequiredService<EffectiveConfiguration>();
        var registry = services.GetRequiredService<MeshServiceRegistry>();
        var endpoints = new Dictionary<string, IReadOnlyList<ConfiguredEndpoint>>();
        foreach (var service in registry.Services)
        {
            endpoints[service.Name] = service.Endpoints.Current.All
                .Select(e => new ConfiguredEndpoint(e.Address.ToString(), e.State.ToString().ToLowerInvariant()))
                .ToList();
        }

        var configuration = new ConfigurationSections(Tree(effective.Root.GetSection("Mesh")), Tree(effective.Root.GetSection("Services")));
        var identity = services.GetService<IdentitySource>() is { } source ? IdentityDocument.Of(source, services.GetRequiredService<IdentityOptions>()) : null;
        return new ConfigDocument(effective.Status, configuration, endpoints, identity);
    }

    private static JsonObject Tree(IConfiguration section)
    {
        var node = new JsonObject();
        foreach (var child in section.GetChildren())
        {
            node[child.Key] = child.Value is { } value ? JsonValue.Create(value) : Tree(child);
        }

        return node;
    }
}
