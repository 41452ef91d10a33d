using System.Net;
using Mesh.ProxyHost;
using Mesh.ProxyHost.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ProxyHost.Testing;

/// <summary>
/// A real sidecar (the same ProxyApp the binary runs) on loopback with OS-chosen ports, configured from a JSON file
/// in a temporary folder that a test may rewrite to exercise hot reload.
/// </summary>
public sealed class Sidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;
    private Task? _stopping;

    private Sidecar(WebApplication app, string folder)
    {
        _app = app;
        _folder = folder;
        var listeners = app.Services.GetRequiredService<Listeners>();
        OutboundPort = listeners.Ports(Listeners.Outbound)[0];
        OutboundHttp2Port = listeners.Ports(Listeners.Outbound)[1];
        InboundPort = listeners.Ports(Listeners.Inbound)[0];
        InboundHttp2Port = listeners.Ports(Listeners.Inbound).ElementAtOrDefault(1);
        AdminPort = listeners.Ports(Listeners.Admin)[0];
    }

    public int OutboundPort { get; }

    public int OutboundHttp2Port { get; }

    public int InboundPort { get; }

    public int AdminPort { get; }

    /// <summary>Gets the inbound cleartext HTTP/2 port, when the configuration opened one (0 otherwise).</summary>
    public int InboundHttp2Port { get; }

    public string ConfigFile => Path.Combine(_folder, "mesh.json");

    public IServiceProvider Services => _app.Services;

    public Uri Outbound => new($"http://127.0.0.1:{OutboundPort}");

    public Uri Admin => new($"http://127.0.0.1:{AdminPort}");

    /// <summary>A client that talks to the outbound listener, naming the service in Host.</summary>
    public HttpClient OutboundClient(string service)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Outbound };
        client.DefaultRequestHeaders.Host = service;
        return client;
    }

    /// <summary>The JSON of a configuration with these services (service → endpoint URLs) and extra Mesh settings.</summary>
    public static string Json(IDictionary<string, string[]> services, string meshServices = "{}", string inboundTarget = "http://127.0.0.1:9")
    {
        var endpoints = string.Join(",", services.Select(s => $"\"{s.Key}\": {{ \"http\": [{string.Join(",", s.Value.Select(u => $"\"{u}\""))}] }}"));
        return $$"""
        {
          "Mesh": {
            "Proxy": {
              "Outbound": { "Listen": "127.0.0.1:0", "ListenHttp2": "127.0.0.1:0" },
              "Inbound": { "Listen": "127.0.0.1:0", "Target": "{{inboundTarget}}" },
              "DrainDelay": "00:00:00"
            },
            "Admin": { "Listen": "127.0.0.1:0" },
            "Services": {{meshServices}}
          },
          "Services": { {{endpoints}} }
        }
        """;
    }

    public static Task<Sidecar> StartAsync(string json, params string[] args) => StartAsync(json, static _ => { }, args);

    /// <summary>Starts a sidecar whose services <paramref name="services"/> adds to (or replaces), e.g. an <c>UpstreamConnector</c>.</summary>
    public static Task<Sidecar> StartAsync(string json, Action<IServiceCollection> services, params string[] args) =>
        StartConfiguredAsync(json, builder => services(builder.Services), args);

    /// <summary>
    /// Starts a sidecar with an identity (in <paramref name="args"/>) and, besides its listeners, an inbound listener
    /// that terminates mutual TLS (<see cref="InboundTlsListener"/>, <see cref="InboundTlsPort"/>).
    /// </summary>
    public static Task<Sidecar> StartWithInboundTlsAsync(string json, Action<IServiceCollection> services, params string[] args) =>
        StartConfiguredAsync(json, builder =>
        {
            services(builder.Services);
            InboundTlsListener.Add(builder);
        }, args);

    /// <summary>Gets the port of the inbound mutual TLS listener (<see cref="StartWithInboundTlsAsync"/>); 0 without one.</summary>
    public int InboundTlsPort => _app.Services.GetService<InboundTlsListener>()?.Port ?? 0;

    private static async Task<Sidecar> StartConfiguredAsync(string json, Action<WebApplicationBuilder> configure, params string[] args)
    {
        var folder = Directory.CreateTempSubdirectory("mesh-sidecar-").FullName;
        var file = Path.Combine(folder, "mesh.json");
        await File.WriteAllTextAsync(file, json);
        // Only the Mesh config file is watched (hot reload); the default appsettings.json is not, sparing inotify instances.
        var app = ProxyApp.Build([$"--Mesh:ConfigFile={file}", "--hostBuilder:reloadConfigOnChange=false", .. args], builder =>
        {
            builder.Logging.ClearProviders();
            builder.WebHost.UseSetting("urls", "");
            configure(builder);
        });
        await app.StartAsync();
        return new Sidecar(app, folder);
    }

    /// <summary>Rewrites the configuration file, as an operator editing it would.</summary>
    public Task RewriteConfigAsync(string json) => File.WriteAllTextAsync(ConfigFile, json);

    public async Task<string> GetAdminAsync(string path)
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(new Uri(Admin, path));
    }

    /// <summary>Stops the sidecar as SIGTERM would: drain (<c>/ready</c> 503), close the listeners, let in-flight requests finish.</summary>
    public Task StopAsync() => _stopping ??= _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
