using System.Diagnostics.CodeAnalysis;
using Mesh.Configuration;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds a named <see cref="HttpClient"/> for one service: <c>AddHttpClient(service)</c> with base address
/// <c>http://{service}</c> and <see cref="MeshHttpClientBuilderExtensions.AddMesh(IHttpClientBuilder, string)"/>.
/// </summary>
public static class MeshClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a named <see cref="HttpClient"/> for <paramref name="service"/> whose base address is <c>http://{service}</c>,
    /// meshed with <c>AddMesh(service)</c>: endpoints from <c>Services:{service}:http</c> (Microsoft.Extensions.ServiceDiscovery),
    /// policy from <c>Mesh:Services:{service}</c>, validated at start; with no configuration it uses the defaults.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="service">The logical service name, e.g. <c>orders</c>.</param>
    /// <returns>The builder of the named client, for further configuration.</returns>
    public static IHttpClientBuilder AddMeshClient(this IServiceCollection services, string service)
        => NamedClient(services, service).AddMesh(service);

    /// <summary>Adds a Mesh client for <paramref name="service"/>, with its options changed by <paramref name="configure"/> after configuration is bound.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="service">The logical service name.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder of the named client.</returns>
    public static IHttpClientBuilder AddMeshClient(this IServiceCollection services, string service, Action<MeshServiceOptions> configure)
        => NamedClient(services, service).AddMesh(service, configure);

    /// <summary>Adds a Mesh client for <paramref name="service"/>, with its options bound from <paramref name="section"/> as well.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="service">The logical service name.</param>
    /// <param name="section">A configuration section shaped like <c>Mesh:Services:{service}</c>.</param>
    /// <returns>The builder of the named client.</returns>
    public static IHttpClientBuilder AddMeshClient(this IServiceCollection services, string service, IConfigurationSection section)
        => NamedClient(services, service).AddMesh(service, section);

    /// <summary>Adds a typed client <typeparamref name="TClient"/> that calls <paramref name="service"/> through Mesh.</summary>
    /// <typeparam name="TClient">The typed client; it receives the configured <see cref="HttpClient"/> in its constructor.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="service">The logical service name.</param>
    /// <returns>The builder of the client.</returns>
    public static IHttpClientBuilder AddMeshClient<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TClient>(this IServiceCollection services, string service)
        where TClient : class
    {
        var builder = services.AddMeshClient(service);
        builder.AddTypedClient<TClient>();
        return builder;
    }

    private static IHttpClientBuilder NamedClient(IServiceCollection services, string service)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        return services.AddHttpClient(service, client => client.BaseAddress = new Uri($"http://{service}"));
    }
}
