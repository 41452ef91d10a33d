using Mesh;
using Mesh.Configuration;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;
using Mesh.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Mesh policies and their runtime, shared by the in-process client and the sidecar.</summary>
public static class MeshCoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds what every Mesh host needs: service discovery from configuration, the service registry, telemetry,
    /// the built-in load balancers, and per-service options bound from <c>Mesh:Services:{service}</c> and validated at start.
    /// </summary>
    public static IServiceCollection AddMeshCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(MeshServiceRegistry)))
        {
            return services;
        }

        services.AddServiceDiscoveryCore();
        services.AddConfigurationServiceEndpointProvider();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MeshTelemetry>();
        services.TryAddSingleton(static sp => new Mesh.Tap.MeshTap(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<LoadBalancerRegistry>();
        services.TryAddSingleton<FailureAccrualPolicyRegistry>();
        services.TryAddSingleton(static sp => new ServiceCatalog(sp.GetService<IConfiguration>()));
        services.TryAddSingleton<MeshServiceRegistry>();
        services.TryAddSingleton(static sp => new Mesh.Stats.MeshStats(sp.GetRequiredService<MeshServiceRegistry>(), sp));
        services.TryAddSingleton(static sp => new Mesh.Pipeline.MeshHttpHandlerFactory(sp.GetRequiredService<MeshServiceRegistry>(), sp.GetRequiredService<ServiceCatalog>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MeshServiceOptions>, MeshServiceOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<MeshServiceOptions>, BindMeshServiceOptions>());
        services.AddOptions<DynamicServicesOptions>().BindConfiguration(DynamicServicesOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DynamicServicesOptions>, DynamicServicesOptionsValidator>());
        return services;
    }

    /// <summary>
    /// Binds <paramref name="service"/>'s options from <paramref name="section"/> as well, after
    /// <c>Mesh:Services:{service}</c>: <paramref name="section"/> is shaped like it, and durations are read as there
    /// (<c>5s</c>, <c>250ms</c>, <c>00:00:05</c>). A bare number under a duration key, or a key no option has a place for
    /// in a duration's stead, fails when the options are first built (at start for a meshed client) with an
    /// <see cref="OptionsValidationException"/> naming the key and the reason.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="service">The logical service name, e.g. <c>orders</c>.</param>
    /// <param name="section">A configuration section shaped like <c>Mesh:Services:{service}</c>.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection ConfigureMeshService(this IServiceCollection services, string service, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentNullException.ThrowIfNull(section);
        services.Configure<MeshServiceOptions>(service, options => MeshServiceOptionsBinder.Bind(section, service, options));
        return services;
    }

    /// <summary>Registers a custom load balancer that <c>Mesh:Services:{service}:LoadBalancer</c> can name.</summary>
    public static IServiceCollection AddMeshLoadBalancer(this IServiceCollection services, string name, Func<ILoadBalancer> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(new LoadBalancerRegistration(name, create));
        return services;
    }

    /// <summary>
    /// Registers a custom failure accrual policy that <c>Mesh:Services:{service}:FailureAccrual:Policy</c> can name;
    /// <paramref name="create"/> makes one instance per endpoint. The mechanism stays Mesh's: ejection under
    /// <c>MaxEjectionPercent</c>, penalties, the single probe.
    /// </summary>
    public static IServiceCollection AddMeshFailureAccrualPolicy(this IServiceCollection services, string name, Func<FailureAccrualOptions, TimeProvider, IFailureAccrualPolicy> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(new FailureAccrualPolicyRegistration(name, create));
        return services;
    }

    /// <summary>Binds every named <see cref="MeshServiceOptions"/> from <c>Mesh:Services:{name}</c>.</summary>
    private sealed class BindMeshServiceOptions(IConfiguration? configuration = null) : IConfigureNamedOptions<MeshServiceOptions>
    {
        public void Configure(MeshServiceOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);

        public void Configure(string? name, MeshServiceOptions options)
        {
            if (configuration is not null && !string.IsNullOrEmpty(name))
            {
                MeshServiceOptionsBinder.Bind(configuration.GetSection($"{MeshServiceOptions.SectionName}:{name}"), name, options);
            }
        }
    }
}
