using System.Buffers;
using System.Net;
using System.Runtime.ExceptionServices;

namespace Mesh.Bodies;

/// <summary>
/// Wraps a streamed request body so that it can be sent again, like linkerd2-proxy's <c>ReplayBody</c>: while the
/// body is sent the first time, up to <c>capacity</c> bytes are copied into a pooled buffer. It can be replayed only
/// if it was never read, or was read to its end within the capacity. When the transport fails part-way (an HTTP/2
/// stream refused while its body was still coming), the rest of the body is still read into the buffer, within the
/// capacity and the caller's cancellation, so that a retry the classifier allows can send it whole; the next send waits
/// for that. A larger body, or one whose source failed, is never sent twice. The buffer goes back to the pool on dispose.
/// </summary>
internal sealed class ReplayableContent : HttpContent
{
    private static long s_bufferedBytes;

    private readonly HttpContent _inner;
    private readonly int _capacity;
    private readonly CancellationToken _drainToken;
    private readonly TaskCompletionSource _firstSendDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _buffer;
    private int _length;
    private int _state; // 0 not sent, 1 sending, 2 complete within capacity, 3 not replayable

    /// <param name="inner">The streamed body.</param>
    /// <param name="capacity">The most bytes kept for a replay.</param>
    /// <param name="drainToken">The caller's cancellation: it bounds reading the body on after the transport failed.</param>
    public ReplayableContent(HttpContent inner, int capacity, CancellationToken drainToken)
    {
        _inner = inner;
        _capacity = capacity;
        _drainToken = drainToken;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>Gets the bytes held in replay buffers across the process, for tests and diagnostics.</summary>
    public static long BufferedBytes => Interlocked.Read(ref s_bufferedBytes);

    /// <summary>Whether the body may be sent (again): it was not read yet, or it was read whole into the buffer.</summary>
    public bool CanReplay => Volatile.Read(ref _state) is 0 or 2;

    // Not (yet) past the capacity: still being buffered, or buffered whole.
    private bool WithinCapacity => Volatile.Read(ref _state) is 1 or 2;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (Interlocked.CompareExchange(ref _state, 1, 0))
            {
                case 0:
                    await SendFirstAsync(stream, cancellationToken).ConfigureAwait(false);
                    return;
                case 1:
                    // A retry while the first send still reads the rest of the body into the buffer: wait for it.
                    await _firstSendDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                case 2:
                    await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
                    return;
                default:
                    throw new InvalidOperationException("Mesh: this request body was not buffered and cannot be sent again.");
            }
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    private async Task SendFirstAsync(Stream stream, CancellationToken cancellationToken)
    {
        // The source is read under the caller's cancellation, the transport written under this attempt's: when the
        // attempt ends part-way, the copy goes on into the buffer only.
        var tee = new TeeStream(stream, this, cancellationToken);
        try
        {
            await _inner.CopyToAsync(tee, _drainToken).ConfigureAwait(false);
            Interlocked.CompareExchange(ref _state, 2, 1);
        }
        catch (Exception ex) when (tee.TransportFailure is null || ex == tee.TransportFailure.SourceException)
        {
            NotReplayable();
            throw;
        }
        catch
        {
            // The source failed after the transport had: nothing to replay; the transport's failure is the attempt's.
            NotReplayable();
        }
        finally
        {
            _firstSendDone.TrySetResult();
        }

        // The transport failed while the body was sent: the attempt fails as it would have, the body kept for a retry.
        tee.TransportFailure?.Throw();
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

    /// <summary>
    /// Writes through to the transport and copies what it writes into the replay buffer. Once a transport write fails,
    /// it only copies, until the body ends or outgrows the buffer.
    /// </summary>
    private sealed class TeeStream(Stream inner, ReplayableContent owner, CancellationToken attempt) : Stream
    {
        public ExceptionDispatchInfo? TransportFailure { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (CaptureOnly(buffer))
            {
                return;
            }

            try
            {
                inner.Write(buffer);
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (CaptureOnly(buffer.Span))
            {
                return;
            }

            try
            {
                await inner.WriteAsync(buffer, attempt).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
        }

        public override void Flush()
        {
            if (TransportFailure is null)
            {
                inner.Flush();
            }
        }

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            TransportFailure is null ? inner.FlushAsync(attempt) : Task.CompletedTask;

        // Copies the data; true when the transport has failed already, so the data goes to the buffer only. A body that
        // outgrows the buffer then ends the copy: it cannot be replayed, and there is nowhere else to send it.
        private bool CaptureOnly(ReadOnlySpan<byte> data)
        {
            owner.Capture(data);
            if (TransportFailure is null)
            {
                return false;
            }

            if (!owner.WithinCapacity)
            {
                TransportFailure.Throw();
            }

            return true;
        }

        // The transport failed: remember why, and read on into the buffer if the body can still be replayed.
        private void Failed(Exception ex)
        {
            TransportFailure = ExceptionDispatchInfo.Capture(ex);
            if (!owner.WithinCapacity)
            {
                TransportFailure.Throw();
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
