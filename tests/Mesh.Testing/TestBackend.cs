using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port, counting the requests it sees.</summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private TestBackend(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public int Requests => Volatile.Read(ref _requests);

    public static Task<TestBackend> StartAsync(int status = 200, TimeSpan delay = default) =>
        StartAsync(async context =>
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsync("ok");
        });

    /// <summary>Starts a backend answering with <paramref name="handler"/>, after the middleware <paramref name="configure"/> adds (e.g. WebSockets).</summary>
    public static Task<TestBackend> StartAsync(RequestDelegate handler, Action<IApplicationBuilder>? configure = null) =>
        StartAsync(handler, configure, HttpProtocols.Http1AndHttp2);

    /// <summary>
    /// Starts a backend that speaks only cleartext HTTP/2 with prior knowledge, as the sidecar forwards an HTTP/2
    /// request (a cleartext port offering both HTTP/1.1 and HTTP/2 would speak only HTTP/1.1).
    /// </summary>
    public static Task<TestBackend> StartHttp2Async(RequestDelegate handler) => StartAsync(handler, null, HttpProtocols.Http2);

    /// <summary>Starts a backend that closes a client's connection once it has been idle for <paramref name="keepAlive"/> (Kestrel checks once a second).</summary>
    public static Task<TestBackend> StartAsync(RequestDelegate handler, TimeSpan keepAlive) =>
        StartAsync(handler, null, HttpProtocols.Http1AndHttp2, keepAlive);

    private static async Task<TestBackend> StartAsync(RequestDelegate handler, Action<IApplicationBuilder>? configure, HttpProtocols protocols, TimeSpan? keepAlive = null)
    {
        // No file watching: a backend reads no configuration, and each watcher takes one of the user's 128 inotify instances.
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, o => o.Protocols = protocols);
            if (keepAlive is { } timeout)
            {
                k.Limits.KeepAliveTimeout = timeout;
            }
        });
        var app = builder.Build();
        TestBackend? backend = null;
        configure?.Invoke(app);
        app.Run(context =>
        {
            Interlocked.Increment(ref backend!._requests);
            return handler(context);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend = new TestBackend(app, url);
        return backend;
    }

    public void ResetCount() => Interlocked.Exchange(ref _requests, 0);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
