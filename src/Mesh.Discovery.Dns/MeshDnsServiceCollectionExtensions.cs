using Mesh.Discovery.Dns;
using Mesh.Discovery.Dns.Configuration;
using Mesh.Discovery.Dns.Providers;
using Mesh.Discovery.Dns.Resolution;
using Mesh.Discovery.Dns.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds DNS (SRV and A/AAAA) as a source of Mesh endpoints, for <c>AddMeshClient</c> applications and the sidecar alike.</summary>
public static class MeshDnsServiceCollectionExtensions
{
    /// <summary>
    /// Adds DNS discovery with <see cref="MeshDnsOptions"/> bound from <c>Mesh:Discovery:Dns</c> (reloaded with the
    /// configuration) and validated at start. It comes after the configuration provider, so a service with endpoints
    /// under <c>Services:{service}</c> keeps them, and only services listed under <c>Mesh:Discovery:Dns:Services</c> are looked up.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMeshDnsDiscovery(this IServiceCollection services) => services.AddMeshDnsDiscovery(configure: null);

    /// <summary>Adds DNS discovery, with <paramref name="configure"/> applied after configuration is bound.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options, e.g. <c>o => o.Services["orders"] = ""</c> for the Kubernetes naming rule.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMeshDnsDiscovery(this IServiceCollection services, Action<MeshDnsOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);

        // Mesh's core first: its configuration provider must come before DNS among the endpoint providers.
        services.AddMeshCore();
        if (!services.Any(static d => d.ServiceType == typeof(DnsResolver)))
        {
            services.AddOptions<MeshDnsOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<MeshDnsOptions>, BindFromConfiguration>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IOptionsChangeTokenSource<MeshDnsOptions>, ConfigurationChanges>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MeshDnsOptions>, MeshDnsOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<DnsResolver>();
            services.TryAddSingleton<DnsTelemetry>();
            services.AddSingleton<IServiceEndpointProviderFactory, DnsServiceEndpointProviderFactory>();
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }

    /// <summary>Adds DNS discovery, with the options bound from <paramref name="section"/> as well (shaped like <c>Mesh:Discovery:Dns</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMeshDnsDiscovery(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddMeshDnsDiscovery(configure: null);
        services.Configure<MeshDnsOptions>(options => section.Bind(options));
        services.AddSingleton<IOptionsChangeTokenSource<MeshDnsOptions>>(new ConfigurationChangeTokenSource<MeshDnsOptions>(section));
        return services;
    }

    /// <summary>Binds <c>Mesh:Discovery:Dns</c> from the host's configuration, when it has one.</summary>
    private sealed class BindFromConfiguration(IConfiguration? configuration = null) : IConfigureOptions<MeshDnsOptions>
    {
        public void Configure(MeshDnsOptions options) => configuration?.GetSection(MeshDnsOptions.SectionName).Bind(options);
    }

    /// <summary>Rebuilds the options (and so looks services up again) when the host's configuration reloads.</summary>
    private sealed class ConfigurationChanges(IConfiguration? configuration = null) : IOptionsChangeTokenSource<MeshDnsOptions>
    {
        public string Name => Options.Options.DefaultName;

        public IChangeToken GetChangeToken() => configuration?.GetReloadToken() ?? new CancellationChangeToken(CancellationToken.None);
    }
}
