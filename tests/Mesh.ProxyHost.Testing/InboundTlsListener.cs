using System.Net;
using Mesh.ProxyHost.Features;
using Mesh.ProxyHost.Features.MeshTls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Testing;

/// <summary>
/// A test-only inbound listener that terminates mutual TLS with the sidecar's own <see cref="InboundTls"/> (Kestrel's
/// <c>UseHttps</c> with a per-connection callback), tagged as inbound so its requests take the inbound path: what the
/// inbound port does for a TLS caller once it tells TLS from plaintext on the same port. Added after the sidecar's own
/// listeners; it takes the request's own <c>:scheme</c> over TLS as a peer sidecar sends it (<c>http</c>).
/// </summary>
public sealed class InboundTlsListener
{
    private ListenOptions? _listen;

    /// <summary>Gets the port it is bound to, once the server has started.</summary>
    public int Port => _listen?.IPEndPoint?.Port ?? 0;

    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<InboundTlsListener>();
        builder.Services.PostConfigure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AllowAlternateSchemes = true;
            var self = kestrel.ApplicationServices.GetRequiredService<InboundTlsListener>();
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                var tls = kestrel.ApplicationServices.GetRequiredService<InboundTls>();
                listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = context => tls.OptionsFor(context.Connection) });
                kestrel.ApplicationServices.GetRequiredService<Listeners>().Add(Listeners.Inbound, listen);
                self._listen = listen;
            });
        });
    }
}
