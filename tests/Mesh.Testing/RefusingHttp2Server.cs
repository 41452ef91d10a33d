using System.Net;
using System.Net.Sockets;

namespace Mesh.Testing;

/// <summary>
/// A tiny cleartext HTTP/2 (prior knowledge) server on 127.0.0.1, written frame by frame: it answers the first
/// <c>refuse</c> streams it receives with RST_STREAM(REFUSED_STREAM) without processing them — as soon as their
/// HEADERS arrive, or once their whole request has arrived (<see cref="RefuseAt"/>) — and every later stream, once
/// its request (headers and body) is complete, with <c>200</c> and a small body. Kestrel cannot be made to refuse a
/// stream on demand, hence the hand-written server. It counts the HEADERS frames it saw and the requests it processed.
/// </summary>
public sealed class RefusingHttp2Server : IAsyncDisposable
{
    /// <summary>The body of every 200 the server sends.</summary>
    public const string ResponseBody = "processed";

    private readonly TcpListener _listener;
    private readonly int _refuse;
    private readonly RefuseAt _refuseAt;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly List<byte[]> _bodies = [];
    private readonly Task _accepting;
    private int _headersFrames;
    private int _processed;
    private int _refused;

    private RefusingHttp2Server(int refuse, RefuseAt refuseAt)
    {
        _refuse = refuse;
        _refuseAt = refuseAt;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Url { get; }

    /// <summary>Gets how many HEADERS frames (streams opened, refused or not) the server received.</summary>
    public int HeadersFrames => Volatile.Read(ref _headersFrames);

    /// <summary>Gets how many requests the server read whole and answered 200.</summary>
    public int Processed => Volatile.Read(ref _processed);

    /// <summary>Gets how many streams the server refused.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Gets the bodies of the processed requests, in the order they completed.</summary>
    public IReadOnlyList<byte[]> Bodies
    {
        get
        {
            lock (_bodies)
            {
                return [.. _bodies];
            }
        }
    }

    /// <summary>When a refused stream is refused.</summary>
    public enum RefuseAt
    {
        /// <summary>On its HEADERS frame: the client may still be sending its body.</summary>
        Headers,

        /// <summary>Once its whole request (headers, body, END_STREAM) has arrived, still without processing it.</summary>
        EndOfRequest,
    }

    /// <summary>Starts a server that refuses the first <paramref name="refuse"/> streams (on any connection).</summary>
    public static RefusingHttp2Server Start(int refuse = 1, RefuseAt at = RefuseAt.Headers) => new(refuse, at);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var token = _stopping.Token;
        try
        {
            var preface = new byte[Http2Wire.ClientPreface.Length];
            if (await stream.ReadAtLeastAsync(preface, preface.Length, throwOnEndOfStream: false, token) < preface.Length ||
                !preface.AsSpan().SequenceEqual(Http2Wire.ClientPreface))
            {
                return;
            }

            // Our SETTINGS: all defaults. Every write below happens on this loop, so frames never interleave.
            await stream.WriteAsync(Http2Wire.Frame(Http2Wire.Settings, 0, 0, []), token);

            // Streams whose request is still arriving (headers or body), with the body so far; those refused on HEADERS are not here.
            var open = new Dictionary<int, Request>();
            var pendingHeaders = (StreamId: 0, EndStream: false);
            while (await Http2Wire.ReadFrameAsync(stream, token) is { } frame)
            {
                switch (frame.Type)
                {
                    case Http2Wire.Settings when !frame.HasFlag(Http2Wire.Ack):
                        await stream.WriteAsync(Http2Wire.Frame(Http2Wire.Settings, Http2Wire.Ack, 0, []), token);
                        break;
                    case Http2Wire.Ping when !frame.HasFlag(Http2Wire.Ack):
                        await stream.WriteAsync(Http2Wire.Frame(Http2Wire.Ping, Http2Wire.Ack, 0, frame.Payload), token);
                        break;
                    case Http2Wire.GoAway:
                        return;
                    case Http2Wire.RstStream:
                        open.Remove(frame.StreamId);
                        break;
                    case Http2Wire.Headers when open.ContainsKey(frame.StreamId):
                        // Trailers of a request whose body has arrived: not a new stream.
                        await EndOfHeadersAsync(stream, open, frame.StreamId, frame.HasFlag(Http2Wire.EndStream), token);
                        break;
                    case Http2Wire.Headers:
                        var refused = Interlocked.Increment(ref _headersFrames) <= _refuse;
                        if (refused && _refuseAt == RefuseAt.Headers)
                        {
                            await RefuseAsync(stream, frame.StreamId, token);
                            break;
                        }

                        open[frame.StreamId] = new Request(refused);
                        if (frame.HasFlag(Http2Wire.EndHeaders))
                        {
                            await EndOfHeadersAsync(stream, open, frame.StreamId, frame.HasFlag(Http2Wire.EndStream), token);
                        }
                        else
                        {
                            pendingHeaders = (frame.StreamId, frame.HasFlag(Http2Wire.EndStream));
                        }

                        break;
                    case Http2Wire.Continuation when frame.HasFlag(Http2Wire.EndHeaders) && frame.StreamId == pendingHeaders.StreamId:
                        await EndOfHeadersAsync(stream, open, frame.StreamId, pendingHeaders.EndStream, token);
                        pendingHeaders = default;
                        break;
                    case Http2Wire.Data:
                        await DataAsync(stream, open, frame, token);
                        break;
                    default:
                        // WINDOW_UPDATE, PRIORITY, CONTINUATION of a refused stream, unknown types: nothing to do.
                        break;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task EndOfHeadersAsync(NetworkStream stream, Dictionary<int, Request> open, int streamId, bool endStream, CancellationToken token)
    {
        if (endStream && open.Remove(streamId, out var request))
        {
            await CompleteAsync(stream, streamId, request, token);
        }
    }

    private async Task DataAsync(NetworkStream stream, Dictionary<int, Request> open, Http2Frame frame, CancellationToken token)
    {
        // Drain the body, giving the flow-control credit back (the connection's always; the stream's while it is open).
        if (frame.Payload.Length > 0)
        {
            await stream.WriteAsync(Http2Wire.WindowUpdateFrame(0, frame.Payload.Length), token);
        }

        if (!open.TryGetValue(frame.StreamId, out var request))
        {
            return; // a refused stream's body, sent before the client read the refusal
        }

        // PADDED (0x8): a pad length byte, the data, then that many padding bytes.
        var data = (frame.Flags & 0x8) != 0 ? frame.Payload.AsSpan(1, frame.Payload.Length - 1 - frame.Payload[0]) : frame.Payload;
        request.Body.Write(data);
        if (frame.HasFlag(Http2Wire.EndStream))
        {
            open.Remove(frame.StreamId);
            await CompleteAsync(stream, frame.StreamId, request, token);
        }
        else if (frame.Payload.Length > 0)
        {
            await stream.WriteAsync(Http2Wire.WindowUpdateFrame(frame.StreamId, frame.Payload.Length), token);
        }
    }

    private async Task RefuseAsync(NetworkStream stream, int streamId, CancellationToken token)
    {
        // Refused before any processing: RFC 9113 §8.7 lets the client retry it, whatever its method.
        Interlocked.Increment(ref _refused);
        await stream.WriteAsync(Http2Wire.RstStreamFrame(streamId, Http2Wire.RefusedStream), token);
    }

    private async Task CompleteAsync(NetworkStream stream, int streamId, Request request, CancellationToken token)
    {
        if (request.Refuse)
        {
            await RefuseAsync(stream, streamId, token);
            return;
        }

        lock (_bodies)
        {
            _bodies.Add(request.Body.ToArray());
        }

        Interlocked.Increment(ref _processed);
        await stream.WriteAsync(Http2Wire.Frame(Http2Wire.Headers, Http2Wire.EndHeaders, streamId, [Http2Wire.Status200]), token);
        await stream.WriteAsync(Http2Wire.Frame(Http2Wire.Data, Http2Wire.EndStream, streamId, System.Text.Encoding.ASCII.GetBytes(ResponseBody)), token);
    }

    /// <summary>A request being received: its body so far, and whether it is to be refused once complete.</summary>
    private sealed record Request(bool Refuse)
    {
        public MemoryStream Body { get; } = new();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stopping.Dispose();
    }
}
