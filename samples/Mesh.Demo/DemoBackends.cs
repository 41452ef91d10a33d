using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Demo;

/// <summary>The three loopback Kestrel servers the demo calls: healthy, slow and failing.</summary>
internal sealed class DemoBackends : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly List<DemoBackend> _backends = [];

    private DemoBackends()
    {
    }

    /// <summary>The backends in role order: healthy, slow, failing.</summary>
    public IReadOnlyList<DemoBackend> All => _backends;

    public static async Task<DemoBackends> StartAsync(CancellationToken cancellationToken)
    {
        var backends = new DemoBackends();
        try
        {
            await backends.StartOneAsync(new("healthy", TimeSpan.FromMilliseconds(5), failureRatio: 0, seed: 1), cancellationToken);
            await backends.StartOneAsync(new("slow", TimeSpan.FromMilliseconds(55), failureRatio: 0, seed: 2), cancellationToken);
            await backends.StartOneAsync(new("failing", TimeSpan.FromMilliseconds(5), failureRatio: 0.3, seed: 42), cancellationToken);
            return backends;
        }
        catch
        {
            await backends.DisposeAsync();
            throw;
        }
    }

    /// <summary>The role of the backend behind a <c>mesh.endpoint</c> tag value, matched by port.</summary>
    public string RoleOf(string endpoint)
    {
        var port = DemoBackend.PortOf(endpoint);
        foreach (var backend in _backends)
        {
            if (backend.Port == port)
            {
                return backend.Role;
            }
        }

        return "?";
    }

    /// <summary>Configuration for Microsoft.Extensions.ServiceDiscovery: <c>Services:{service}:http:{i}</c> = each backend.</summary>
    public Dictionary<string, string?> ToConfiguration(string service)
    {
        var configuration = new Dictionary<string, string?>();
        for (var i = 0; i < _backends.Count; i++)
        {
            configuration[$"Services:{service}:http:{i}"] = _backends[i].Address.ToString();
        }

        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        _apps.Clear();
    }

    private async Task StartOneAsync(BackendBehavior behavior, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        _apps.Add(app);
        app.MapGet("/work", behavior.HandleAsync);
        await app.StartAsync(cancellationToken);

        // Port 0 asks the OS for a free port; the feature reports the one actually bound.
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        _backends.Add(new(behavior.Role, new Uri(addresses.Addresses.First())));
    }
}
