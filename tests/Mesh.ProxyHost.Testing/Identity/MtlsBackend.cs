using System.Collections.Concurrent;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.ProxyHost.Features.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ProxyHost.Testing.Identity;

/// <summary>
/// A stand-in for a peer sidecar's inbound port: Kestrel over TLS 1.3 with its own SPIFFE certificate, requiring a client
/// certificate that chains to the trust domain's anchor and carries a SPIFFE ID (Kestrel's own client-certificate
/// check, with the chain rebuilt against the anchor). It records, per request, the protocol, the client's SPIFFE ID and
/// certificate serial, the connection, and the headers and body it got. Like a sidecar's inbound listener, it takes the
/// <c>:scheme</c> the request names (<c>http</c>, the scheme the application used) on a TLS connection
/// (<see cref="KestrelServerOptions.AllowAlternateSchemes"/>).
/// </summary>
public sealed class MtlsBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MtlsBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Gets the endpoint to configure for a meshed service.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>Gets the serial numbers of the client certificates of every TLS handshake, in order.</summary>
    public ConcurrentQueue<string> HandshakeSerials { get; } = new();

    /// <summary>One request as the stand-in saw it.</summary>
    public sealed record SeenRequest(string Protocol, string Method, string Path, string? ClientId, string ClientSerial, string ConnectionId, IHeaderDictionary Headers, byte[] Body);

    public static async Task<MtlsBackend> StartAsync(TrustDomain domain, X509Certificate2 certificate, RequestDelegate? respond = null)
    {
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        MtlsBackend? self = null;
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            // A sidecar keeps the request's own scheme (http) on the TLS connection, as Mesh's inbound listener takes it.
            k.AllowAlternateSchemes = true;
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                SslProtocols = SslProtocols.Tls13,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (client, _, _) =>
                {
                    self?.HandshakeSerials.Enqueue(client.SerialNumber);
                    return PeerCertificates.Chain(client, [], [domain.Anchor], DateTimeOffset.UtcNow).Length == 0 && SpiffeCertificate.IdOf(client, out _) is not null;
                },
            });
        }));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            if (!context.WebSockets.IsWebSocketRequest)
            {
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            }

            var client = context.Connection.ClientCertificate!;
            var headers = new HeaderDictionary();
            foreach (var header in context.Request.Headers)
            {
                headers[header.Key] = header.Value;
            }

            self!.Requests.Enqueue(new SeenRequest(context.Request.Protocol, context.Request.Method, context.Request.Path + context.Request.QueryString, SpiffeCertificate.IdOf(client, out _)?.Value, client.SerialNumber, context.Connection.Id, headers, body.ToArray()));
            if (respond is not null)
            {
                await respond(context);
                return;
            }

            await context.Response.WriteAsync($"served {context.Request.Method} {context.Request.Path}");
        });
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        self = new MtlsBackend(app, port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
