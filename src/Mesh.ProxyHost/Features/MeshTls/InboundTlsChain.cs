using Mesh.ProxyHost.Features.Inbound;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// Mutual TLS in one inbound listener's connection pipeline, behind its protocol detection
/// (<see cref="Transparent.TransparentListener"/>), with Kestrel's own TLS (<c>UseHttps</c>, <see cref="InboundTls"/>'s
/// options per connection): the detection hands a connection it takes for the sidecar's mutual TLS to
/// <see cref="Terminate"/> (the handshake, then, by the protocol chosen: a peer's opaque TCP to <see cref="InboundTcp"/>,
/// else Kestrel's HTTP/2 for <c>h2</c> and HTTP/1.1 for the rest), and any other to <see cref="Plaintext"/> (Kestrel's
/// HTTP without TLS, which is HTTP/1 even on this HTTP/1-and-HTTP/2 endpoint: there is no ALPN to choose by). Both are
/// the delegates Kestrel builds from the listener's middleware, captured as it builds them (public API only, as
/// <see cref="Transparent.Http2Handover"/>). Decrypted HTTP carries the <c>:scheme</c> a peer sends (<c>http</c>), which
/// Kestrel takes on a TLS connection with <see cref="KestrelServerOptions.AllowAlternateSchemes"/>.
/// </summary>
internal sealed class InboundTlsChain
{
    private ConnectionDelegate? _terminate;
    private ConnectionDelegate? _plaintext;
    private InboundTls? _tls;
    private InboundTcp? _tcp;

    /// <summary>Gets the pipeline from the TLS handshake on (set by the detection middleware, whose next it is).</summary>
    public ConnectionDelegate Terminate
    {
        get => _terminate ?? throw new InvalidOperationException("Mesh: the inbound TLS pipeline is not built yet.");
        set => _terminate = value;
    }

    /// <summary>Gets Kestrel's HTTP pipeline without TLS.</summary>
    public ConnectionDelegate Plaintext => _plaintext ?? throw new InvalidOperationException("Mesh: the inbound pipeline is not built yet.");

    /// <summary>Adds TLS and what follows it to <paramref name="listen"/>, after the detection middleware added before.</summary>
    public void AddTo(ListenOptions listen)
    {
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = static context => ((InboundTlsChain)context.State!)._tls!.OptionsFor(context.Connection),
            OnConnectionState = this,
        });

        // Built before UseHttps's middleware (Kestrel builds the pipeline from its end), once the services exist.
        listen.Use(next =>
        {
            _tls = listen.ApplicationServices.GetRequiredService<InboundTls>();
            _tcp = listen.ApplicationServices.GetRequiredService<InboundTcp>();
            return connection => IsOpaqueTcp(connection) ? _tcp.ServeMeshTcpAsync(connection) : next(connection);
        });
        listen.Use(next => _plaintext = next);
    }

    private static bool IsOpaqueTcp(ConnectionContext connection) =>
        connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual(MeshAlpn.Tcp.Protocol.Span) == true;
}
