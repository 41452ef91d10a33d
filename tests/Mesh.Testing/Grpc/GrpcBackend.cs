using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing.Grpc;

/// <summary>
/// A real Grpc.AspNetCore server with <see cref="EchoService"/> on an HTTP/2-only (h2c prior knowledge) Kestrel port
/// on 127.0.0.1: a cleartext port that offers both HTTP/1.1 and HTTP/2 would speak only HTTP/1.1.
/// </summary>
public sealed class GrpcBackend : IAsyncDisposable
{
    private WebApplication? _app;
    private int _calls;

    private GrpcBackend()
    {
    }

    public string Url { get; private set; } = "";

    /// <summary>Gets the calls the service has begun.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>
    /// Gets or sets the status every call of this backend ends with, whatever it asks: a unary call gets its response
    /// headers, then this status in the trailers, with no message; a stream, its replies and then this status.
    /// </summary>
    public global::Grpc.Core.StatusCode? FailWith { get; set; }

    /// <summary>Gets or sets whether a unary call failing with <see cref="FailWith"/> answers trailers-only (no headers first).</summary>
    public bool FailTrailersOnly { get; set; }

    /// <summary>Completes when a call the service is working on is cancelled (its deadline passed or the caller went away).</summary>
    public TaskCompletionSource CallCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<GrpcBackend> StartAsync()
    {
        var backend = new GrpcBackend();
        // No file watching: a backend reads no configuration, and each watcher takes one of the user's 128 inotify instances.
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(backend);
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        backend._app = app;
        backend.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return backend;
    }

    internal void RecordCall() => Interlocked.Increment(ref _calls);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
