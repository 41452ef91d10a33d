using System.Net.Sockets;
using System.Threading.Channels;

namespace Mesh.Testing;

/// <summary>
/// A TCP server that sends back whatever it reads, and reports how each connection ended on its side: <c>fin</c> (the
/// peer closed its side cleanly: the server closes too) or <c>reset</c>.
/// </summary>
public sealed class TcpEchoServer : LoopbackTcpServer
{
    private readonly Channel<string> _ends = Channel.CreateUnbounded<string>();

    private TcpEchoServer() => BeginAccepting();

    public static TcpEchoServer Start() => new();

    /// <summary>Gets how the next connection to end ended: <c>fin</c> or <c>reset</c>.</summary>
    public async Task<string> NextEndAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _ends.Reader.ReadAsync(limit.Token);
    }

    /// <summary>Sends <paramref name="bytes"/> over <paramref name="stream"/> and reads as many back.</summary>
    public static async Task<byte[]> RoundTripAsync(Stream stream, byte[] bytes)
    {
        await stream.WriteAsync(bytes);
        var back = new byte[bytes.Length];
        await stream.ReadExactlyAsync(back);
        return back;
    }

    protected override async Task ServeAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
            }
        }
        catch (SocketException)
        {
            _ends.Writer.TryWrite("reset");
            return;
        }

        _ends.Writer.TryWrite("fin");
        socket.Shutdown(SocketShutdown.Both);
    }
}
