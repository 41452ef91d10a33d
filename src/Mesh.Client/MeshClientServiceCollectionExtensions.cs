using System.Diagnostics.CodeAnalysis;
using Mesh;
using Mesh.Configuration;
using Mesh.Upstream;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Turns a named <see cref="HttpClient"/> into a Mesh client.</summary>
public static class MeshClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a named <see cref="HttpClient"/> for <paramref name="service"/> whose base address is <c>http://{service}</c>.
    /// Its endpoints come from <c>Services:{service}:http</c> (Microsoft.Extensions.ServiceDiscovery) and its policy from
    /// <c>Mesh:Services:{service}</c>, validated at start; with no configuration it uses the defaults.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="service">The logical service name, e.g. <c>orders</c>.</param>
    /// <returns>The builder of the named client, for further configuration.</returns>
    public static IHttpClientBuilder AddMeshClient(this IServiceCollection services, string service)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);

        services.AddMeshCore();
        services.AddOptions<MeshServiceOptions>(service).ValidateOnStart();
        return services
            .AddHttpClient(service, client =>
            {
                client.BaseAddress = new Uri($"http://{service}");

                // Mesh owns deadlines (Mesh:Services:{service}:Timeouts:Total); HttpClient's own 100 s would only get in the way.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                // Connections stay idle at most Mesh:Services:{service}:Upstream:IdleTimeout, read per request.
                var registry = sp.GetRequiredService<MeshServiceRegistry>();
                return new UpstreamHandler(
                    new ConnectionPools(static idle => new SocketsHttpHandler
                    {
                        // Endpoints come and go; do not pin a connection to an address forever.
                        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                        PooledConnectionIdleTimeout = idle,
                        ConnectTimeout = TimeSpan.FromSeconds(10),
                    }),
                    () => registry.Get(service).Policy.Options.Upstream.IdleTimeout,
                    ownsPools: true);
            })
            .AddHttpMessageHandler(sp => sp.GetRequiredService<MeshServiceRegistry>().CreateHandler(service));
    }

    /// <summary>Adds a Mesh client for <paramref name="service"/>, with its options changed by <paramref name="configure"/> after configuration is bound.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="service">The logical service name.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder of the named client.</returns>
    public static IHttpClientBuilder AddMeshClient(this IServiceCollection services, string service, Action<MeshServiceOptions> configure)
    {
        var builder = services.AddMeshClient(service);
        services.Configure(service, configure);
        return builder;
    }

    /// <summary>Adds a Mesh client for <paramref name="service"/>, with its options bound from <paramref name="section"/> as well.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="service">The logical service name.</param>
    /// <param name="section">A configuration section shaped like <c>Mesh:Services:{service}</c>.</param>
    /// <returns>The builder of the named client.</returns>
    public static IHttpClientBuilder AddMeshClient(this IServiceCollection services, string service, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddMeshClient(service);
        services.Configure<MeshServiceOptions>(service, options => MeshServiceOptionsBinder.Bind(section, service, options));
        return builder;
    }

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
}
