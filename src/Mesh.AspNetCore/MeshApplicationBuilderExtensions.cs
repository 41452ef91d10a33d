using Mesh.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Mesh middleware for ASP.NET Core apps.</summary>
public static class MeshApplicationBuilderExtensions
{
    /// <summary>
    /// Adopts incoming deadlines (<c>mesh-timeout-ms</c>, <c>grpc-timeout</c>): calls made with <c>AddMeshClient</c>
    /// while serving a request get no more than its remaining budget, and pass the rest on.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The application, for chaining.</returns>
    public static IApplicationBuilder UseMeshDeadlines(this IApplicationBuilder app) =>
        app.UseMiddleware<MeshDeadlineMiddleware>();
}
