using System.Buffers;
using System.Net;

namespace Mesh.Bodies;

/// <summary>
/// Wraps a streamed request body so that it can be sent again, like linkerd2-proxy's <c>ReplayBody</c>: while the
/// body is sent the first time, up to <c>capacity</c> bytes are copied into a pooled buffer. It can be replayed only
/// if it was never read, or was read to its end within the capacity. A larger body, or one cut short (the response
/// began first, the connection broke), is never sent twice. The buffer goes back to the pool on dispose.
/// </summary>
internal sealed class ReplayableContent : HttpContent
{
    private static long s_bufferedBytes;

    private readonly HttpContent _inner;
    private readonly int _capacity;
    private byte[]? _buffer;
    private int _length;
    private int _state; // 0 not sent, 1 sending, 2 complete within capacity, 3 not replayable

    public ReplayableContent(HttpContent inner, int capacity)
    {
        _inner = inner;
        _capacity = capacity;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>Gets the bytes held in replay buffers across the process, for tests and diagnostics.</summary>
    public static long BufferedBytes => Interlocked.Read(ref s_bufferedBytes);

    /// <summary>Whether the body may be sent (again): it was not read yet, or it was read whole into the buffer.</summary>
    public bool CanReplay => Volatile.Read(ref _state) is 0 or 2;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        switch (Interlocked.CompareExchange(ref _state, 1, 0))
        {
            case 0:
                await SendFirstAsync(stream, cancellationToken).ConfigureAwait(false);
                return;
            case 2:
                await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
                return;
            default:
                throw new InvalidOperationException("Mesh: this request body was not buffered and cannot be sent again.");
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    private async Task SendFirstAsync(Stream stream, CancellationToken cancellationToken)
    {
        var tee = new TeeStream(stream, this);
        try
        {
            await _inner.CopyToAsync(tee, cancellationToken).ConfigureAwait(false);
            Interlocked.CompareExchange(ref _state, 2, 1);
        }
        catch
        {
            NotReplayable();
            throw;
        }
    }

    private void Capture(ReadOnlySpan<byte> data)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            return;
        }

        if (_length + data.Length > _capacity)
        {
            NotReplayable();
            return;
        }

        if (_buffer is null || _buffer.Length < _length + data.Length)
        {
            var size = Math.Min(_capacity, Math.Max(4096, (_length + data.Length) * 2));
            var bigger = ArrayPool<byte>.Shared.Rent(size);
            Interlocked.Add(ref s_bufferedBytes, bigger.Length - (_buffer?.Length ?? 0));
            _buffer?.AsSpan(0, _length).CopyTo(bigger);
            ReturnBuffer(account: false);
            _buffer = bigger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void NotReplayable()
    {
        Volatile.Write(ref _state, 3);
        ReturnBuffer(account: true);
    }

    private void ReturnBuffer(bool account)
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            if (account)
            {
                Interlocked.Add(ref s_bufferedBytes, -buffer.Length);
            }

            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        if (_inner.Headers.ContentLength is { } known)
        {
            length = known;
            return true;
        }

        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnBuffer(account: true);
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Writes through to the transport and copies what it writes into the replay buffer.</summary>
    private sealed class TeeStream(Stream inner, ReplayableContent owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            owner.Capture(buffer);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner.Capture(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
