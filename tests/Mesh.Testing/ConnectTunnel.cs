using System.Net.Sockets;
using System.Text;

namespace Mesh.Testing;

/// <summary>An HTTP CONNECT tunnel through a proxy on loopback, opened as clients that only know proxies open one.</summary>
public sealed class ConnectTunnel : IDisposable
{
    private readonly Socket _socket;

    private ConnectTunnel(Socket socket, string response)
    {
        _socket = socket;
        Response = response;
        Stream = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>Gets the proxy's answer to the CONNECT, head only.</summary>
    public string Response { get; }

    public int Status => RawHttp.Status(Response);

    public NetworkStream Stream { get; }

    /// <summary>Half-closes: the tunnel's far end reads an end of stream, and its answer can still come back.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Sends <c>CONNECT authority</c> to the proxy on <paramref name="port"/> and reads the head of its answer.</summary>
    public static async Task<ConnectTunnel> OpenAsync(int port, string authority)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"), SocketFlags.None);

        // Byte by byte up to the blank line: what follows it is the tunnel's, not the answer's.
        var head = new StringBuilder();
        var one = new byte[1];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await socket.ReceiveAsync(one, SocketFlags.None, limit.Token) == 1)
        {
            head.Append((char)one[0]);
        }

        return new ConnectTunnel(socket, head.ToString());
    }

    /// <summary>Reads until the proxy closes the connection (what follows a refusal), or 10 s pass.</summary>
    public async Task<bool> ClosedByProxyAsync()
    {
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        Stream.Dispose();
        _socket.Dispose();
    }
}
