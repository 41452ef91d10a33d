using Mesh;
using Mesh.Client.ClientFactory;
using Mesh.Configuration;
using Mesh.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Puts Mesh under any <see cref="HttpClient"/> made by the client factory: a named or typed client, a gRPC client from
/// <c>AddGrpcClient&lt;T&gt;()</c>, a Refit client, or every client at once with
/// <c>services.ConfigureHttpClientDefaults(http =&gt; http.AddMesh())</c>.
/// </summary>
/// <remarks>
/// <para>A meshed client's calls are balanced over the service's endpoints, retried under a budget, bounded by deadlines
/// (so the client's own <see cref="HttpClient.Timeout"/> is set to infinite), sent on Mesh's connection pools and
/// measured. A service's policy and what it has learned belong to the service: every client that calls it shares them.</para>
/// <para>Checked when the handlers are built, and at start for every client configured: one Mesh layer per client (the
/// last <c>AddMesh</c> wins, so a client's own overrides the defaults'); Microsoft.Extensions.ServiceDiscovery's
/// handler (<c>AddServiceDiscovery()</c>) is taken out, since Mesh resolves the same names through the same library; a
/// second retry layer (<c>AddStandardResilienceHandler()</c> and the other handlers of Microsoft.Extensions.Http.Resilience,
/// or a Polly policy handler) is an error naming the client and how to choose. The client's
/// <see cref="SocketsHttpHandler"/> (the factory's, Grpc.Net.ClientFactory's, or one the application configured) is the
/// template of Mesh's pools; a primary handler of another kind is kept, without <c>Upstream:IdleTimeout</c>.
/// Synchronous <see cref="HttpClient.Send(HttpRequestMessage)"/> throws <see cref="NotSupportedException"/>.</para>
/// </remarks>
public static class MeshHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends each request for the service its host names (port ignored): one client serves <c>http://orders</c> and
    /// <c>http://billing</c>. A configured service (endpoints under <c>Services:{service}</c>, a policy under
    /// <c>Mesh:Services:{service}</c>) is balanced over its discovered endpoints; any other host is its own one endpoint,
    /// with Mesh's default policy. The policy of every configured service is validated at start.
    /// </summary>
    /// <param name="builder">The client's builder, or the defaults' (<c>ConfigureHttpClientDefaults</c>).</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddMesh(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddMeshCore(builder, serviceFromHost: true);
        return builder.AddHttpMessageHandler(static sp => sp.GetRequiredService<MeshHttpHandlerFactory>().CreateHandler());
    }

    /// <summary>
    /// Sends every request of the client for <paramref name="service"/>, whatever host its URI names: endpoints from
    /// <c>Services:{service}</c> (Microsoft.Extensions.ServiceDiscovery), policy from <c>Mesh:Services:{service}</c>,
    /// validated at start; with no configuration, Mesh's defaults.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="service">The logical service name, e.g. <c>orders</c>.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddMesh(this IHttpClientBuilder builder, string service)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        AddMeshCore(builder, serviceFromHost: false);
        builder.Services.AddOptions<MeshServiceOptions>(service).ValidateOnStart();
        return builder.AddHttpMessageHandler(sp => sp.GetRequiredService<MeshHttpHandlerFactory>().CreateHandler(service));
    }

    /// <summary>
    /// Sends every request of the client for <paramref name="service"/>, with the service's options changed by
    /// <paramref name="configure"/> after configuration is bound (for every client that calls the service).
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="service">The logical service name.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddMesh(this IHttpClientBuilder builder, string service, Action<MeshServiceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddMesh(service);
        builder.Services.Configure(service, configure);
        return builder;
    }

    /// <summary>
    /// Sends every request of the client for <paramref name="service"/>, with the service's options bound from
    /// <paramref name="section"/> as well (after <c>Mesh:Services:{service}</c>; durations such as <c>5s</c> as there).
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="service">The logical service name.</param>
    /// <param name="section">A configuration section shaped like <c>Mesh:Services:{service}</c>.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddMesh(this IHttpClientBuilder builder, string service, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        builder.AddMesh(service);
        builder.Services.ConfigureMeshService(service, section);
        return builder;
    }

    // What every AddMesh needs besides its handler: Mesh's services, the filter that finishes a meshed client's
    // handlers, the check at start, and no HttpClient timeout under Mesh's deadlines.
    private static void AddMeshCore(IHttpClientBuilder builder, bool serviceFromHost)
    {
        var services = builder.Services;
        services.AddMeshCore();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, MeshHandlerBuilderFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MeshClients>, MeshClientsValidator>());
        var name = builder.Name;
        services.AddOptions<MeshClients>().ValidateOnStart().Configure(clients =>
        {
            clients.Names.Add(name);
            clients.ServiceFromHost |= serviceFromHost;
        });

        // Mesh owns deadlines (Timeouts:Total, or the caller's): HttpClient's own 100 s would cut a longer call Mesh allows.
        builder.ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan);
    }
}
