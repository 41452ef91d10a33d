using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Client.Tests.Infrastructure;

/// <summary>A generic host whose only way to reach the backends is a client made by AddMeshClient (or, with no service, the clients the test meshes).</summary>
public sealed class MeshClientHost : IAsyncDisposable
{
    private MeshClientHost(IHost host, ReloadableConfiguration configuration)
    {
        Host = host;
        Configuration = configuration;
    }

    public IHost Host { get; }

    public ReloadableConfiguration Configuration { get; }

    public IServiceProvider Services => Host.Services;

    public HttpClient CreateClient(string service = "orders") =>
        Services.GetRequiredService<IHttpClientFactory>().CreateClient(service);

    public static Dictionary<string, string?> EndpointConfig(string service, IEnumerable<TestBackend> backends, IDictionary<string, string?>? extra = null)
    {
        var data = backends.Select((b, i) => KeyValuePair.Create($"Services:{service}:http:{i}", (string?)b.Url))
            .ToDictionary(p => p.Key, p => p.Value);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            data[key] = value;
        }

        return data;
    }

    public static async Task<MeshClientHost> StartAsync(IDictionary<string, string?> configuration, Action<IServiceCollection>? configureServices = null, string? service = "orders")
    {
        var source = new ReloadableConfiguration(configuration);
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        ((IConfigurationBuilder)builder.Configuration).Add(source);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (service is not null)
        {
            builder.Services.AddMeshClient(service);
        }

        configureServices?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new MeshClientHost(host, source);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
