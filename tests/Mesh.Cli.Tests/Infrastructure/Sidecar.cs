using Mesh.ProxyHost;
using Mesh.ProxyHost.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Cli.Tests.Infrastructure;

/// <summary>A real sidecar (the ProxyApp the binary runs) on loopback with OS-chosen ports, configured from a temporary JSON file.</summary>
public sealed class Sidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private Sidecar(WebApplication app, string folder)
    {
        _app = app;
        _folder = folder;
        var listeners = app.Services.GetRequiredService<Listeners>();
        OutboundPort = listeners.Ports(Listeners.Outbound)[0];
        AdminPort = listeners.Ports(Listeners.Admin)[0];
    }

    public int OutboundPort { get; }

    public int AdminPort { get; }

    /// <summary>Gets the value of <c>--admin</c> that reaches this sidecar.</summary>
    public string Admin => $"127.0.0.1:{AdminPort}";

    /// <summary>The JSON of a configuration with these services (service → endpoint URLs) and extra Mesh service settings.</summary>
    public static string Json(IDictionary<string, string[]> services, string meshServices = "{}")
    {
        var endpoints = string.Join(",", services.Select(s => $"\"{s.Key}\": {{ \"http\": [{string.Join(",", s.Value.Select(u => $"\"{u}\""))}] }}"));
        return $$"""
        {
          "Mesh": {
            "Proxy": {
              "Outbound": { "Listen": "127.0.0.1:0", "ListenHttp2": "127.0.0.1:0" },
              "Inbound": { "Listen": "127.0.0.1:0", "Target": "http://127.0.0.1:9" },
              "DrainDelay": "00:00:00"
            },
            "Admin": { "Listen": "127.0.0.1:0" },
            "Services": {{meshServices}}
          },
          "Services": { {{endpoints}} }
        }
        """;
    }

    public static async Task<Sidecar> StartAsync(string json)
    {
        var folder = Directory.CreateTempSubdirectory("mesh-cli-sidecar-").FullName;
        var file = Path.Combine(folder, "mesh.json");
        await File.WriteAllTextAsync(file, json);
        var app = ProxyApp.Build([$"--Mesh:ConfigFile={file}", "--hostBuilder:reloadConfigOnChange=false"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.WebHost.UseSetting("urls", "");
        });
        await app.StartAsync();
        return new Sidecar(app, folder);
    }

    /// <summary>A client that calls <paramref name="service"/> through the outbound listener, as an app next to the sidecar would.</summary>
    public HttpClient OutboundClient(string service)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{OutboundPort}") };
        client.DefaultRequestHeaders.Host = service;
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
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
