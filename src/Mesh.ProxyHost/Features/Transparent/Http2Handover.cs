using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// Kestrel's HTTP/2 connection handling, for connections accepted elsewhere. Kestrel picks a connection's protocol
/// from its endpoint's <c>Protocols</c> (on cleartext, <c>Http1AndHttp2</c> means HTTP/1.1: RECIPES §3), so the
/// detecting listeners are HTTP/1 endpoints, and an HTTP/2 connection detected on them is handed to an HTTP/2 endpoint's
/// pipeline instead: the delegate Kestrel builds for an HTTP/2-only listener after its connection middleware, captured
/// with <see cref="ListenOptions.Use(Func{ConnectionDelegate, ConnectionDelegate})"/> (public API only). That listener
/// is internal: on 127.0.0.1 with a port of the OS's choosing, it closes every connection it accepts itself.
/// </summary>
internal sealed class Http2Handover
{
    private ConnectionDelegate? _terminal;

    /// <summary>Adds the internal HTTP/2 listener; call before the other listeners, so it is built before they accept.</summary>
    public void Listen(KestrelServerOptions kestrel) =>
        kestrel.Listen(IPAddress.Loopback, 0, options =>
        {
            options.Protocols = HttpProtocols.Http2;
            options.Use(next =>
            {
                _terminal = next;
                return static connection =>
                {
                    connection.Abort(new ConnectionAbortedException("Mesh: internal listener."));
                    return Task.CompletedTask;
                };
            });
        });

    /// <summary>Serves <paramref name="connection"/> as cleartext HTTP/2 (its preface still unread).</summary>
    public Task ServeAsync(ConnectionContext connection) =>
        (_terminal ?? throw new InvalidOperationException("Mesh: the HTTP/2 listener is not built yet."))(connection);
}
