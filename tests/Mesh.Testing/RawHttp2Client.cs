using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Mesh.Testing;

/// <summary>
/// A cleartext HTTP/2 (prior knowledge) client connection on loopback that writes exactly the frames a test gives it,
/// as a misbehaving client would. A reader in the background answers the server's SETTINGS and PINGs, gives back
/// flow-control credit for any DATA, and records what matters to a test: RST_STREAM frames by error code, GOAWAY, and
/// the end of the connection (EOF or reset).
/// </summary>
public sealed class RawHttp2Client : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<uint, int> _resets = new();
    private readonly TaskCompletionSource<Http2Frame> _goAway = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _disposing = new();
    private Task _reading = Task.CompletedTask;

    private RawHttp2Client(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Completes with the server's GOAWAY frame, if it sends one.</summary>
    public Task<Http2Frame> GoAway => _goAway.Task;

    /// <summary>Completes when the connection has ended, with how: <c>eof</c>, <c>reset</c> or an error's message.</summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> and sends the preface and an empty SETTINGS frame.</summary>
    public static async Task<RawHttp2Client> ConnectAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        var client = new RawHttp2Client(tcp);
        byte[] hello = [.. Http2Wire.ClientPreface, .. Http2Wire.Frame(Http2Wire.Settings, 0, 0, [])];
        await client.SendAsync(hello);
        client._reading = client.ReadAsync();
        return client;
    }

    /// <summary>Gets how many RST_STREAM frames the server sent with <paramref name="errorCode"/>.</summary>
    public int Resets(uint errorCode) => _resets.TryGetValue(errorCode, out var count) ? count : 0;

    /// <summary>Writes <paramref name="bytes"/> (whole frames) as they are.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writing.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await Http2Wire.ReadFrameAsync(_stream, _disposing.Token) is { } frame)
            {
                switch (frame.Type)
                {
                    case Http2Wire.Settings when !frame.HasFlag(Http2Wire.Ack):
                        Reply(Http2Wire.Frame(Http2Wire.Settings, Http2Wire.Ack, 0, []));
                        break;
                    case Http2Wire.Ping when !frame.HasFlag(Http2Wire.Ack):
                        Reply(Http2Wire.Frame(Http2Wire.Ping, Http2Wire.Ack, 0, frame.Payload));
                        break;
                    case Http2Wire.RstStream:
                        _resets.AddOrUpdate(frame.ErrorCode, 1, static (_, n) => n + 1);
                        break;
                    case Http2Wire.GoAway:
                        _goAway.TrySetResult(frame);
                        break;
                    case Http2Wire.Data when frame.Payload.Length > 0:
                        Reply(Http2Wire.WindowUpdateFrame(0, frame.Payload.Length));
                        break;
                }
            }

            _closed.TrySetResult("eof");
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown })
        {
            _closed.TrySetResult("reset");
        }
        catch (Exception ex)
        {
            _closed.TrySetResult(ex.Message);
        }
    }

    // The reader never waits for a write: while a test's write is blocked (the server not reading), the reader must go
    // on reading, or neither side would move.
    private void Reply(byte[] frame) => _ = ReplyAsync(frame);

    private async Task ReplyAsync(byte[] frame)
    {
        try
        {
            await SendAsync(frame);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The connection is gone; Closed says how.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync();
        _tcp.Dispose();
        await _reading;
        _disposing.Dispose();
        _writing.Dispose();
    }
}
