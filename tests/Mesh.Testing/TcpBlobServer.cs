using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Mesh.Testing;

/// <summary>
/// A TCP server for opaque-TCP tests, speaking no protocol at all: on each connection it sends <see cref="Size"/> bytes
/// of seeded noise while it reads whatever the client sends, up to the client's FIN; then it sends the SHA-256 of what
/// it read (32 bytes) and closes. So a client that sends N bytes and half-closes can check both directions: what came
/// back is the noise (its hash known in advance) followed by the hash of what it sent.
/// </summary>
public sealed class TcpBlobServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    private TcpBlobServer(int size, int seed)
    {
        Size = size;
        Blob = new byte[size];
        new Random(seed).NextBytes(Blob);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Gets the bytes sent on every connection before the hash.</summary>
    public byte[] Blob { get; }

    public int Size { get; }

    /// <summary>Gets the connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static TcpBlobServer Start(int size, int seed = 7) => new(size, seed);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(socket);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var send = socket.SendAsync(Blob, SocketFlags.None, _stop.Token).AsTask();
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }

                await send;
                await socket.SendAsync(hash.GetHashAndReset(), SocketFlags.None, _stop.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // The client went, or the test is over.
            }
        }
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

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _accepting.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
