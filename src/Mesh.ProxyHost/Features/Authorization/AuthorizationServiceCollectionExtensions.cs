namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>Inbound authorization in the sidecar's services.</summary>
internal static class AuthorizationServiceCollectionExtensions
{
    public static IServiceCollection AddInboundAuthorization(this IServiceCollection services)
    {
        services.AddSingleton<AuthorizationMetrics>();
        services.AddSingleton<InboundAuthorizer>();
        return services;
    }
}
