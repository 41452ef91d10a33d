using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// The upstream side of an opaque TCP connection: the socket, or, to a meshed service, the mutual TLS over it
/// (<see cref="MeshTls.MeshTcpTls"/>). Over TLS, passing on a FIN is a <c>close_notify</c> and then the socket's FIN
/// (TLS 1.3 lets the other direction go on after it); a reset resets the socket under the TLS.
/// </summary>
internal sealed class TcpUpstream(Socket socket, SslStream? tls = null) : IDisposable
{
    /// <summary>Gets the address connected to.</summary>
    public EndPoint? RemoteEndPoint => socket.RemoteEndPoint;

    /// <summary>Gets whether the bytes go over mutual TLS to a peer sidecar.</summary>
    public bool IsMutualTls => tls is not null;

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (tls is not null)
        {
            return tls.WriteAsync(bytes);
        }

        var sent = socket.SendAsync(bytes, SocketFlags.None);
        return sent.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(sent.AsTask());
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) =>
        tls is not null ? tls.ReadAsync(buffer) : socket.ReceiveAsync(buffer, SocketFlags.None);

    /// <summary>Passes the client's FIN on: nothing more will be sent, the answer may still come.</summary>
    public async ValueTask ShutdownSendAsync()
    {
        if (tls is not null)
        {
            await tls.ShutdownAsync().ConfigureAwait(false);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Closes with a reset (linger 0), so the destination sees the connection broken rather than ended.</summary>
    public void Reset()
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        Dispose();
    }

    public void Dispose()
    {
        tls?.Dispose();
        socket.Dispose();
    }
}
