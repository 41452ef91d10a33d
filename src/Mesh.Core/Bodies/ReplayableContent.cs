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
    private volatile bool _transportGone;

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

    /// <summary>
    /// Whether the first send's transport has gone (failed, or its attempt ended) while the body is still being read
    /// into the buffer: whether it can be replayed is known when <see cref="Settled"/> completes.
    /// </summary>
    public bool Settling => _transportGone && Volatile.Read(ref _state) == 1;

    /// <summary>Gets a task that completes when the first send has read the body to its end, or given up on it.</summary>
    public Task Settled => _firstSendDone.Task;

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
                    // A resend while the first send still reads the rest of the body into the buffer (SocketsHttpHandler
                    // resends a stream refused on its HEADERS itself): wait for it. Not under this send's cancellation:
                    // when this stream is refused too, HTTP/2 cancels its body before it fails its response, and a body
                    // failing first would hide the refusal (which says "send it again") behind a cancellation. The wait
                    // is bounded by the first send, which reads at most the capacity, under the caller's cancellation.
                    await _firstSendDone.Task.ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
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
        using var tee = new TeeStream(stream, this, cancellationToken);
        try
        {
            await _inner.CopyToAsync(tee, _drainToken).ConfigureAwait(false);
            if (_inner.Headers.ContentLength is { } declared && declared != _length)
            {
                // The source ended early without saying so: what was kept is not the body.
                NotReplayable();
            }
            else
            {
                Interlocked.CompareExchange(ref _state, 2, 1);
            }
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
    /// Writes through to the transport and copies what it writes into the replay buffer. Once a transport write or
    /// flush fails, or the attempt is cancelled, it only copies, until the body ends or outgrows the buffer.
    /// </summary>
    private sealed class TeeStream : Stream
    {
        private readonly Stream _inner;
        private readonly ReplayableContent _owner;
        private readonly CancellationToken _attempt;
        private readonly CancellationTokenRegistration _abandoned;
        private ExceptionDispatchInfo? _failure;

        public TeeStream(Stream inner, ReplayableContent owner, CancellationToken attempt)
        {
            _inner = inner;
            _owner = owner;
            _attempt = attempt;

            // The attempt can end while the body waits on its source (no write to fail): an HTTP/2 stream refused on
            // its HEADERS cancels its body. From then on the body is only read into the buffer.
            _abandoned = attempt.UnsafeRegister(static state => ((TeeStream)state!).Record(new OperationCanceledException(((TeeStream)state!)._attempt)), this);
        }

        public ExceptionDispatchInfo? TransportFailure => Volatile.Read(ref _failure);

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
                _inner.Write(buffer);
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
                await _inner.WriteAsync(buffer, _attempt).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
        }

        // A failed flush is a failed write: contents such as YARP's flush the headers before reading their source and
        // give up quietly when that throws, so the failure is recorded here and the body is still read into the buffer.
        public override void Flush()
        {
            if (TransportFailure is not null)
            {
                return;
            }

            try
            {
                _inner.Flush();
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (TransportFailure is not null)
            {
                return;
            }

            try
            {
                await _inner.FlushAsync(_attempt).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
        }

        // Copies the data; true when the transport has failed already, so the data goes to the buffer only. A body that
        // outgrows the buffer then ends the copy: it cannot be replayed, and there is nowhere else to send it.
        private bool CaptureOnly(ReadOnlySpan<byte> data)
        {
            _owner.Capture(data);
            if (TransportFailure is not { } failure)
            {
                return false;
            }

            if (!_owner.WithinCapacity)
            {
                failure.Throw();
            }

            return true;
        }

        // The transport failed: remember why, and read on into the buffer if the body can still be replayed.
        private void Failed(Exception ex)
        {
            var failure = Record(ex);
            if (!_owner.WithinCapacity)
            {
                failure.Throw();
            }
        }

        // Keeps the first failure: a cancelled attempt makes later writes fail too.
        private ExceptionDispatchInfo Record(Exception ex)
        {
            var failure = Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null) ?? _failure!;
            _owner._transportGone = true;
            return failure;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _abandoned.Dispose();
            }

            base.Dispose(disposing);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
