using System.Diagnostics.Metrics;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.MeshTls;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>The sidecar's identity in its services: the options, and, when files are configured, the identity read from them.</summary>
internal static class IdentityServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Mesh:Identity</c> and, when files are configured, reads and checks them now: files that make no usable
    /// identity (unreadable, a key that is not the certificate's, not yet valid, expired, no SPIFFE ID, not signed by the
    /// trust bundle) stop the start like an invalid value, with the key, the file and the reason.
    /// </summary>
    public static IServiceCollection AddSidecarIdentity(this IServiceCollection services, IConfiguration configuration, TimeProvider startClock)
    {
        var options = new IdentityOptions();
        configuration.GetSection(IdentityOptions.SectionName).Bind(options);
        services.AddSingleton(options);
        if (!options.IsConfigured)
        {
            return services;
        }

        var errors = new List<string>();
        var contents = IdentityFiles.Read(options, errors);
        var identity = contents is null ? null : IdentityFiles.Load(options, contents, startClock.GetUtcNow(), errors);
        if (identity is null)
        {
            throw new InvalidConfigurationException(errors);
        }

        services.AddSingleton(sp => new IdentitySource(
            options,
            identity,
            contents!,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<IdentitySource>>(),
            sp.GetRequiredService<IMeterFactory>()));
        services.AddHostedService(static sp => sp.GetRequiredService<IdentitySource>());

        // Outbound mutual TLS to meshed services (MeshForwarder takes these when they are registered), and the server
        // side of it for the inbound listener, with the callers it verified.
        services.AddSingleton<MeshTlsConnector>();
        services.AddSingleton<DefaultServiceIdentity>();
        services.AddSingleton<InboundPeers>();
        services.AddSingleton<InboundTls>();
        services.AddSingleton<InboundTlsMetrics>();
        return services;
    }
}
