using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Discovery.Dns.Tests.Infrastructure;

/// <summary>A real Kestrel server on a loopback address, counting the requests it sees and answering with its name.</summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private TestBackend(WebApplication app, IPEndPoint endpoint)
    {
        _app = app;
        EndPoint = endpoint;
    }

    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts a backend on <paramref name="address"/> (127.0.0.1 by default; all of 127.0.0.0/8 is loopback on Linux) and <paramref name="port"/> (0: any free one).</summary>
    public static async Task<TestBackend> StartAsync(string address = "127.0.0.1", int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        var ip = IPAddress.Parse(address);
        builder.WebHost.UseKestrel(k => k.Listen(ip, port));
        var app = builder.Build();
        TestBackend? backend = null;
        app.Run(async context =>
        {
            Interlocked.Increment(ref backend!._requests);
            await context.Response.WriteAsync(backend.EndPoint.ToString());
        });
        await app.StartAsync();
        var url = new Uri(app.Urls.First());
        backend = new TestBackend(app, new IPEndPoint(ip, url.Port));
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
