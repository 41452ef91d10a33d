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
/// It counts the bytes read from the source as they pass (<see cref="SourceBytes"/>, for <c>mesh.request.bytes</c>); made
/// not replayable, it does only that, for a body declared larger than the capacity.
/// </summary>
internal sealed class ReplayableContent : HttpContent
{
    private static long s_bufferedBytes;

    private readonly HttpContent _inner;
    private readonly int _capacity;
    private readonly CancellationToken _drainToken;
    private readonly TaskCompletionSource _firstSendDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _replayable;
    private byte[]? _buffer;
    private int _length;
    private int _state = (int)ReplayState.NotSent;
    private volatile bool _transportGone;
    private int _passedThrough;
    private long _sourceBytes;

    /// <param name="inner">The streamed body.</param>
    /// <param name="capacity">The most bytes kept for a replay.</param>
    /// <param name="drainToken">The caller's cancellation: it bounds reading the body on after the transport failed.</param>
    /// <param name="replayable">False: the body is only counted as it passes, and sent once, as if unwrapped.</param>
    public ReplayableContent(HttpContent inner, int capacity, CancellationToken drainToken, bool replayable = true)
    {
        _inner = inner;
        _capacity = capacity;
        _drainToken = drainToken;
        _replayable = replayable;
        _state = (int)(replayable ? ReplayState.NotSent : ReplayState.NotReplayable);
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>Gets the bytes held in replay buffers across the process, for tests and diagnostics.</summary>
    public static long BufferedBytes => Interlocked.Read(ref s_bufferedBytes);

    /// <summary>Whether the body may be sent (again): it was not read yet, or it was read whole into the buffer.</summary>
    public bool CanReplay => State is ReplayState.NotSent or ReplayState.Buffered;

    /// <summary>
    /// Whether the first send's transport has gone (failed, or its attempt ended) while the body is still being read
    /// into the buffer: whether it can be replayed is known when <see cref="Settled"/> completes.
    /// </summary>
    public bool Settling => _transportGone && State == ReplayState.Sending;

    /// <summary>Gets the bytes read from the body's source so far: what the caller sent, however many attempts carried it.</summary>
    public long SourceBytes => Interlocked.Read(ref _sourceBytes);

    /// <summary>Gets a task that completes when the first send has read the body to its end, or given up on it.</summary>
    public Task Settled => _firstSendDone.Task;

    /// <summary>Gets whether the body is not (yet) past the capacity: still being buffered, or buffered whole.</summary>
    internal bool WithinCapacity => State is ReplayState.Sending or ReplayState.Buffered;

    private ReplayState State => (ReplayState)Volatile.Read(ref _state);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch ((ReplayState)Interlocked.CompareExchange(ref _state, (int)ReplayState.Sending, (int)ReplayState.NotSent))
            {
                case ReplayState.NotSent:
                    await SendFirstAsync(stream, cancellationToken, _drainToken).ConfigureAwait(false);
                    return;
                case ReplayState.Sending:
                    // A resend while the first send still reads the rest of the body into the buffer (SocketsHttpHandler
                    // resends a stream refused on its HEADERS itself): wait for it. Not under this send's cancellation:
                    // when this stream is refused too, HTTP/2 cancels its body before it fails its response, and a body
                    // failing first would hide the refusal (which says "send it again") behind a cancellation. The wait
                    // is bounded by the first send, which reads at most the capacity, under the caller's cancellation.
                    await _firstSendDone.Task.ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                case ReplayState.Buffered:
                    await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
                    return;
                case ReplayState.NotReplayable when !_replayable && Interlocked.Exchange(ref _passedThrough, 1) == 0:
                    // Made not replayable: sent once, as the unwrapped body would be, under the attempt's cancellation.
                    await SendFirstAsync(stream, cancellationToken, cancellationToken).ConfigureAwait(false);
                    return;
                default:
                    throw new InvalidOperationException("Mesh: this request body was not buffered and cannot be sent again.");
            }
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    private async Task SendFirstAsync(Stream stream, CancellationToken cancellationToken, CancellationToken sourceToken)
    {
        // The source is read under the caller's cancellation, the transport written under this attempt's: when the
        // attempt ends part-way, the copy goes on into the buffer only.
        using var tee = new ReplayTeeStream(stream, this, cancellationToken);
        try
        {
            await _inner.CopyToAsync(tee, sourceToken).ConfigureAwait(false);
            if (_inner.Headers.ContentLength is { } declared && declared != _length)
            {
                // The source ended early without saying so: what was kept is not the body.
                NotReplayable();
            }
            else
            {
                Interlocked.CompareExchange(ref _state, (int)ReplayState.Buffered, (int)ReplayState.Sending);
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

    /// <summary>Copies what the first send writes into the buffer, while the body may still be replayed.</summary>
    internal void Capture(ReadOnlySpan<byte> data)
    {
        Interlocked.Add(ref _sourceBytes, data.Length);
        if (State != ReplayState.Sending)
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

    /// <summary>Records that the first send's transport has gone: the body is now read into the buffer only.</summary>
    internal void TransportGone() => _transportGone = true;

    private void NotReplayable()
    {
        Volatile.Write(ref _state, (int)ReplayState.NotReplayable);
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
}
