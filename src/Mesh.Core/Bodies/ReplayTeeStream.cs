using System.Runtime.ExceptionServices;

namespace Mesh.Bodies;

/// <summary>
/// Writes through to the transport and copies what it writes into the replay buffer. Once a transport write or
/// flush fails, or the attempt is cancelled, it only copies, until the body ends or outgrows the buffer.
/// </summary>
internal sealed class ReplayTeeStream : Stream
{
    private readonly Stream _inner;
    private readonly ReplayableContent _owner;
    private readonly CancellationToken _attempt;
    private readonly CancellationTokenRegistration _abandoned;
    private ExceptionDispatchInfo? _failure;

    public ReplayTeeStream(Stream inner, ReplayableContent owner, CancellationToken attempt)
    {
        _inner = inner;
        _owner = owner;
        _attempt = attempt;

        // The attempt can end while the body waits on its source (no write to fail): an HTTP/2 stream refused on
        // its HEADERS cancels its body. From then on the body is only read into the buffer.
        _abandoned = attempt.UnsafeRegister(static state => ((ReplayTeeStream)state!).Record(new OperationCanceledException(((ReplayTeeStream)state!)._attempt)), this);
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
        _owner.TransportGone();
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
