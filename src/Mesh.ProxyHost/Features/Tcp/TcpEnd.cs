using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// One end of a relayed TCP connection: a socket, or mutual TLS over it. The upstream end is the sidecar's own
/// (<see cref="Upstream"/>: to a meshed service, <see cref="MeshTls.MeshTcpTls"/>'s TLS); the accepted end is Kestrel's
/// (<see cref="Accepted"/>: the socket, or on the inbound port the TLS Kestrel terminated on it for a peer sidecar), and
/// stays Kestrel's to close. Over TLS, passing on a FIN is a <c>close_notify</c> first (TLS 1.3 lets the other direction
/// go on after it); a reset resets the socket under the TLS.
/// </summary>
internal sealed class TcpEnd : IDisposable
{
    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly bool _owned;

    private TcpEnd(Socket socket, SslStream? tls, bool owned)
    {
        _socket = socket;
        _tls = tls;
        _owned = owned;
    }

    /// <summary>Gets the address at the other side.</summary>
    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    /// <summary>Gets whether the bytes go over mutual TLS to or from a peer sidecar.</summary>
    public bool IsMutualTls => _tls is not null;

    /// <summary>The sidecar's connection to a destination (<paramref name="tls"/>: its mutual TLS); disposing it closes it.</summary>
    public static TcpEnd Upstream(Socket socket, SslStream? tls = null) => new(socket, tls, owned: true);

    /// <summary>The accepted connection's end: Kestrel's socket, and the TLS Kestrel terminated on it if it did.</summary>
    public static TcpEnd Accepted(ConnectionContext connection) => new(
        connection.Features.Get<IConnectionSocketFeature>()?.Socket ?? throw new InvalidOperationException("Mesh: opaque TCP needs Kestrel's socket transport."),
        connection.Features.Get<ISslStreamFeature>()?.SslStream,
        owned: false);

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (_tls is not null)
        {
            return _tls.WriteAsync(bytes);
        }

        var sent = _socket.SendAsync(bytes, SocketFlags.None);
        return sent.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(sent.AsTask());
    }

    /// <summary>Reads what has come (0: the other side's FIN); an empty <paramref name="buffer"/> waits for bytes without taking them.</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) =>
        _tls is not null ? _tls.ReadAsync(buffer) : _socket.ReceiveAsync(buffer, SocketFlags.None);

    /// <summary>Passes a FIN on: nothing more will be sent this way, the other direction goes on.</summary>
    public async ValueTask ShutdownSendAsync()
    {
        if (_tls is not null)
        {
            await _tls.ShutdownAsync().ConfigureAwait(false);
            if (!_owned)
            {
                // Kestrel's TLS writes through its transport's output pipe, where the close_notify may still wait: a FIN
                // on the socket now could overtake it. The peer sidecar takes the close_notify as the end of this
                // direction; the socket's FIN follows when Kestrel closes the connection.
                return;
            }
        }

        _socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Shuts the socket down both ways (a FIN, nothing cut off), if it is still open.</summary>
    public void ShutDown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already shut or closed.
        }
    }

    /// <summary>Makes closing send a reset (linger 0), so the other side sees the connection broken rather than ended.</summary>
    public void ResetOnClose()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    /// <summary>Closes the upstream end; the accepted end is Kestrel's to close.</summary>
    public void Dispose()
    {
        if (_owned)
        {
            _tls?.Dispose();
            _socket.Dispose();
        }
    }
}
