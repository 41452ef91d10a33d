using System.Net.Sockets;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// A TCP server that never reads: on each connection it sends the same chunk again and again, up to a total it was
/// given, as fast as the connection takes it, and counts what the connection took (<see cref="Pushed"/>). Behind a
/// client that does not read either, that count stops growing where the buffers on the way are full.
/// </summary>
public sealed class TcpPushServer : LoopbackTcpServer
{
    private readonly byte[] _chunk;
    private readonly long _total;
    private long _pushed;

    private TcpPushServer(byte[] chunk, long total)
    {
        _chunk = chunk;
        _total = total;
        BeginAccepting();
    }

    /// <summary>Gets the bytes all connections took so far.</summary>
    public long Pushed => Interlocked.Read(ref _pushed);

    public static TcpPushServer Start(byte[] chunk, long total) => new(chunk, total);

    /// <summary>Sends <paramref name="chunk"/> over <paramref name="socket"/> until <paramref name="total"/> bytes went or it breaks, adding each send to <paramref name="pushed"/>.</summary>
    public static async Task PushAsync(Socket socket, byte[] chunk, long total, Action<int> pushed, CancellationToken cancellationToken)
    {
        try
        {
            for (var sent = 0L; sent < total; sent += chunk.Length)
            {
                await socket.SendAsync(chunk, SocketFlags.None, cancellationToken);
                pushed(chunk.Length);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The test is over.
        }
    }

    protected override async Task ServeAsync(Socket socket, CancellationToken stop)
    {
        await PushAsync(socket, _chunk, _total, n => Interlocked.Add(ref _pushed, n), stop);

        // Never read, and held open until the test is over.
        await Task.Delay(Timeout.Infinite, stop);
    }
}
