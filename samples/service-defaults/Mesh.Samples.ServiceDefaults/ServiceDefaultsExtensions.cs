using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.Samples.ServiceDefaults;

/// <summary>
/// The service defaults of the sample's services, as Aspire's template writes them, with Mesh in place of
/// <c>AddStandardResilienceHandler()</c>: every <see cref="HttpClient"/> of the application is meshed.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // Endpoints from configuration, in the form Aspire injects (services__orders__http__0=http://...), and DNS.
        builder.Services.AddServiceDiscovery();

        builder.Services.ConfigureHttpClientDefaults(static http =>
        {
            // Aspire's template adds these two. Mesh refuses to stack with the first (two retry layers multiply attempts:
            // the application would not start), so it is not here; the second is harmless on a meshed client: Mesh takes
            // it out and resolves the same names through the same library.
            //   http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();

            // Balancing, retries under a budget, deadlines, failure accrual and golden metrics, for every call.
            http.AddMesh();
        });

        builder.Services.AddHealthChecks();
        builder.Services.AddMeshAdmin();
        return builder;
    }

    /// <summary>Maps <c>/health</c> (which the app host waits on) and Mesh's admin endpoints under <c>/mesh</c> (loopback callers only).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseMeshDeadlines();
        app.MapHealthChecks("/health");
        app.MapMeshAdmin();
        return app;
    }
}
