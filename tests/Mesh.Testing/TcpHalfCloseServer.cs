using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace Mesh.Testing;

/// <summary>
/// A TCP server for half-close tests, speaking no protocol: on each connection it ends its own side first or last.
/// Server first: it sends <see cref="Blob"/> and shuts its send side down at once (its FIN), then reads whatever the
/// client still sends, up to the client's FIN. Client first: it reads up to the client's FIN, then sends the blob and
/// closes. Either way it reports the SHA-256 of all it read (<see cref="NextReadHashAsync"/>), which the client cannot
/// be told on the connection once the server's side is shut.
/// </summary>
public sealed class TcpHalfCloseServer : LoopbackTcpServer
{
    private readonly Channel<byte[]> _readHashes = Channel.CreateUnbounded<byte[]>();
    private readonly bool _serverFinFirst;

    private TcpHalfCloseServer(int size, bool serverFinFirst)
    {
        _serverFinFirst = serverFinFirst;
        Blob = new byte[size];
        new Random(5).NextBytes(Blob);
        BeginAccepting();
    }

    /// <summary>Gets the bytes the server sends on every connection.</summary>
    public byte[] Blob { get; }

    /// <summary>Starts a server that shuts its side first (<paramref name="serverFinFirst"/>) or after the client's FIN.</summary>
    public static TcpHalfCloseServer Start(int size, bool serverFinFirst) => new(size, serverFinFirst);

    /// <summary>Gets the SHA-256 of what the next connection read, once it read the client's FIN (or a reset: then of what came before it).</summary>
    public async Task<byte[]> NextReadHashAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _readHashes.Reader.ReadAsync(limit.Token);
    }

    /// <summary>
    /// The client's part of one exchange over <paramref name="stream"/>: sends <paramref name="head"/> (the
    /// connection's first bytes), then, when the server ends first, reads its blob to the end and only then sends
    /// <paramref name="tail"/> and half-closes; when the client ends first, sends the tail, half-closes and reads.
    /// Returns what the server sent.
    /// </summary>
    public static async Task<byte[]> ExchangeAsync(Stream stream, byte[] head, byte[] tail, Action shutdownSend, bool serverFinFirst)
    {
        var received = new MemoryStream();
        await stream.WriteAsync(head);
        if (serverFinFirst)
        {
            await stream.CopyToAsync(received);
        }

        await stream.WriteAsync(tail);
        await stream.FlushAsync();
        shutdownSend();
        if (!serverFinFirst)
        {
            await stream.CopyToAsync(received);
        }

        return received.ToArray();
    }

    protected override async Task ServeAsync(Socket socket, CancellationToken stop)
    {
        if (_serverFinFirst)
        {
            await socket.SendAsync(Blob, SocketFlags.None, stop);
            socket.Shutdown(SocketShutdown.Send);
        }

        _readHashes.Writer.TryWrite(await ReadToEndAsync(socket, stop));
        if (!_serverFinFirst)
        {
            await socket.SendAsync(Blob, SocketFlags.None, stop);
            socket.Shutdown(SocketShutdown.Both);
        }
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken stop)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset: the hash of what came before it, which the test compares with what was sent.
        }

        return hash.GetHashAndReset();
    }
}
