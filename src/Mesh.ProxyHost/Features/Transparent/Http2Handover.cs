using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// Kestrel's HTTP/2 connection handling, for connections accepted elsewhere. Kestrel picks a connection's protocol
/// from its endpoint's <c>Protocols</c> (on cleartext, <c>Http1AndHttp2</c> means HTTP/1.1: RECIPES §3), so the
/// detecting listeners are HTTP/1 endpoints, and an HTTP/2 connection detected on them is handed to an HTTP/2 endpoint's
/// pipeline instead: the delegate Kestrel builds for an HTTP/2-only endpoint after its connection middleware, captured
/// with <see cref="ListenOptions.Use(Func{ConnectionDelegate, ConnectionDelegate})"/> (public API only). That endpoint
/// is in-process (<see cref="InProcessEndPoint"/>): no socket, no port, nothing a client could reach or an operator
/// would mistake for a listener of theirs; it is left out of the addresses the host logs at start
/// (<see cref="ListenerAddresses"/>).
/// </summary>
internal sealed class Http2Handover
{
    /// <summary>The endpoint Kestrel builds the HTTP/2 pipeline for, bound by <see cref="InProcessTransport"/>.</summary>
    public static readonly InProcessEndPoint EndPoint = new("mesh-http2-handover");

    private ConnectionDelegate? _terminal;

    /// <summary>Adds the in-process HTTP/2 endpoint; call before the other listeners, so it is built before they accept.</summary>
    public void Listen(KestrelServerOptions kestrel) =>
        kestrel.Listen(EndPoint, options =>
        {
            options.Protocols = HttpProtocols.Http2;
            options.Use(next =>
            {
                _terminal = next;

                // Nothing is ever accepted on it (InProcessTransport), so nothing goes past here.
                return static _ => Task.CompletedTask;
            });
        });

    /// <summary>Serves <paramref name="connection"/> as cleartext HTTP/2 (its preface still unread).</summary>
    public Task ServeAsync(ConnectionContext connection) =>
        (_terminal ?? throw new InvalidOperationException("Mesh: the HTTP/2 pipeline is not built yet."))(connection);
}
