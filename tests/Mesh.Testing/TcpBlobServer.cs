using System.Net.Sockets;
using System.Security.Cryptography;

namespace Mesh.Testing;

/// <summary>
/// A TCP server for opaque-TCP tests, speaking no protocol at all: on each connection it sends <see cref="Size"/> bytes
/// of seeded noise while it reads whatever the client sends, up to the client's FIN; then it sends the SHA-256 of what
/// it read (32 bytes) and closes. So a client that sends N bytes and half-closes can check both directions: what came
/// back is the noise (its hash known in advance) followed by the hash of what it sent.
/// </summary>
public sealed class TcpBlobServer : LoopbackTcpServer
{
    private TcpBlobServer(int size, int seed)
    {
        Size = size;
        Blob = new byte[size];
        new Random(seed).NextBytes(Blob);
        BeginAccepting();
    }

    /// <summary>Gets the bytes sent on every connection before the hash.</summary>
    public byte[] Blob { get; }

    public int Size { get; }

    public static TcpBlobServer Start(int size, int seed = 7) => new(size, seed);

    protected override async Task ServeAsync(Socket socket, CancellationToken stop)
    {
        var send = socket.SendAsync(Blob, SocketFlags.None, stop).AsTask();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        await send;
        await socket.SendAsync(hash.GetHashAndReset(), SocketFlags.None, stop);
        socket.Shutdown(SocketShutdown.Both);
    }

    /// <summary>
    /// Runs one exchange over <paramref name="stream"/> (already connected to this server, directly or not): sends
    /// <paramref name="upload"/> and half-closes through <paramref name="shutdownSend"/>, while reading to the end.
    /// Returns what came back.
    /// </summary>
    public static async Task<byte[]> ExchangeAsync(Stream stream, byte[] upload, Action shutdownSend)
    {
        var received = new MemoryStream();
        var reading = stream.CopyToAsync(received);
        await stream.WriteAsync(upload);
        await stream.FlushAsync();
        shutdownSend();
        await reading;
        return received.ToArray();
    }
}
