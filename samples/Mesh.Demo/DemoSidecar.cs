using System.Diagnostics.Metrics;
using Mesh.ProxyHost;
using Mesh.ProxyHost.Features;

namespace Mesh.Demo;

/// <summary>
/// Mesh.ProxyHost, the sidecar, run inside the demo for the same service and backends, as a service written in
/// another language would run it beside itself: only its outbound listener (HTTP/1.1) and its admin listener, both on
/// free loopback ports. Its callers use a plain <see cref="HttpClient"/> with no Mesh in it.
/// </summary>
internal sealed class DemoSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoSidecar(WebApplication app, Uri outbound, Uri admin)
    {
        _app = app;
        Outbound = outbound;
        Admin = admin;
    }

    /// <summary>Gets the outbound listener, where an application sends its calls with <c>Host: {service}</c>.</summary>
    public Uri Outbound { get; }

    /// <summary>
    /// Gets the admin listener: the dashboard at its root, <c>/stats</c>, <c>/tap</c>, <c>/metrics</c>, <c>/ready</c>,
    /// <c>/live</c>, <c>/config</c>. It serves until the demo disposes the sidecar, at its very end.
    /// </summary>
    public Uri Admin { get; }

    /// <summary>
    /// Gets the scope of the sidecar's meters (its <see cref="IMeterFactory"/>). The sidecar's Mesh runtime records into
    /// a meter named <c>Mesh</c> just as the in-process client does; the scope tells the two apart.
    /// </summary>
    public object MeterScope => _app.Services.GetRequiredService<IMeterFactory>();

    public static async Task<DemoSidecar> StartAsync(DemoBackends backends, string service, CancellationToken cancellationToken)
    {
        var settings = backends.ToConfiguration(service);
        settings["Mesh:Proxy:Outbound:Listen"] = "127.0.0.1:0";    // a free port, reported by Listeners once started
        settings["Mesh:Proxy:Outbound:ListenHttp2"] = string.Empty; // no h2c listener: the demo sends HTTP/1.1 only
        settings["Mesh:Proxy:Inbound:Listen"] = string.Empty;       // no local application to front
        settings["Mesh:Admin:Listen"] = "127.0.0.1:0";              // loopback, as the sidecar requires
        settings["Mesh:Proxy:DrainDelay"] = "00:00:00";             // no load balancer to drain from at the end
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:Mesh"] = "Error";                // ejections are in the table, not in warnings
        settings["Logging:LogLevel:Yarp"] = "Error";

        // Configuration added here comes last, above the sidecar's appsettings.json, environment and command line.
        var app = ProxyApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var listeners = app.Services.GetRequiredService<Listeners>();
        return new(
            app,
            new Uri(Text.Format("http://127.0.0.1:{0}/", listeners.Ports(Listeners.Outbound)[0])),
            new Uri(Text.Format("http://127.0.0.1:{0}/", listeners.Ports(Listeners.Admin)[0])));
    }

    /// <summary>
    /// A client as an application in any language would have one: no Mesh, no retries, no balancing. Every request
    /// goes to the sidecar's outbound port and names the service in its <c>Host</c> header.
    /// </summary>
    public HttpClient CreatePlainClient(string service)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Outbound };
        client.DefaultRequestHeaders.Host = service;
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
