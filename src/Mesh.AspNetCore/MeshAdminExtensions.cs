using System.Net;
using Mesh.AspNetCore.Admin;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The Mesh admin endpoints in an app that uses <c>AddMeshClient</c>.</summary>
public static class MeshAdminExtensions
{
    /// <summary>Adds what the admin endpoints need: Mesh's runtime and a Prometheus exporter of the <c>Mesh</c> meter.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddMeshAdmin(this IServiceCollection services)
    {
        services.AddMeshCore();
        services.AddOpenTelemetry().WithMetrics(static metrics => metrics.AddMeter(MeshInstruments.Name).AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// Maps the admin endpoints under <paramref name="prefix"/>: the dashboard at <c>{prefix}/</c>, <c>/stats</c>,
    /// <c>/tap</c> and <c>/metrics</c>, the same as the sidecar's admin port. Only loopback callers are answered;
    /// others get 403. Call <see cref="AddMeshAdmin"/> too.
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="prefix">Where to map them. Default: <c>/mesh</c>.</param>
    /// <returns>The group, to add authorization or other conventions.</returns>
    public static RouteGroupBuilder MapMeshAdmin(this IEndpointRouteBuilder endpoints, string prefix = "/mesh")
    {
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(static async (context, next) =>
            IsLoopback(context.HttpContext.Connection.RemoteIpAddress) ? await next(context) : Results.StatusCode(StatusCodes.Status403Forbidden));
        group.MapGet("/stats", MeshAdminHandlers.StatsAsync);
        group.MapGet("/tap", MeshAdminHandlers.TapAsync);
        group.MapPrometheusScrapingEndpoint("/metrics");
        group.MapGet("/", static async (HttpContext context) =>
        {
            // The dashboard fetches relative URLs ("stats"), which need the trailing slash.
            if (!context.Request.Path.Value!.EndsWith('/'))
            {
                context.Response.Redirect(context.Request.PathBase + context.Request.Path + "/");
                return;
            }

            await MeshAdminHandlers.TryDashboardAsync(context, "/");
        });
        group.MapGet("/{asset}", static async context =>
        {
            if (!await MeshAdminHandlers.TryDashboardAsync(context, "/" + context.Request.RouteValues["asset"]))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        return group;
    }

    /// <summary>Whether a caller is on this machine: IPv4 or IPv6 loopback, including IPv4-mapped IPv6.</summary>
    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
