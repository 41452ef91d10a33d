using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Mesh.Bodies;

/// <summary>
/// The read side of <see cref="ResponseEndContent"/> (and, on an upgraded connection, its write side): every read and
/// write goes straight to the response's stream and is counted; the read that returns nothing reports the end, one that
/// throws reports a failure, and disposing it before either, an abandoned body. An upgraded connection ends when it is
/// disposed: reading its end only means the other side has stopped sending.
/// </summary>
internal sealed class ResponseEndStream(Stream inner, ResponseEndContent content) : Stream, IValueTaskSource<int>
{
    // A read that waits for the network completes through this stream itself, one read at a time (a stream's reads do
    // not overlap): no state machine per read. A pooled async method kept only one per CPU, so with hundreds of
    // responses streaming at once nearly every waiting read allocated its own (12 MiB for 256 MiB of bodies).
    private ManualResetValueTaskSourceCore<int> _read;
    private ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter _pending;
    private int _room;
    private Action? _readCompleted;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => content.Upgraded && inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Ended(inner.Read(buffer), buffer.Length);
        }
        catch (Exception ex)
        {
            content.Report(ResponseEnd.Failed, ex);
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> read;
        try
        {
            read = inner.ReadAsync(buffer, cancellationToken);
            if (read.IsCompleted)
            {
                return new(Ended(read.GetAwaiter().GetResult(), buffer.Length));
            }
        }
        catch (Exception ex)
        {
            content.Report(ResponseEnd.Failed, ex);
            return ValueTask.FromException<int>(ex);
        }

        _room = buffer.Length;
        _read.Reset();
        _pending = read.ConfigureAwait(false).GetAwaiter();
        _pending.OnCompleted(_readCompleted ??= ReadCompleted);
        return new(this, _read.Version);
    }

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        WriteSide().Write(buffer);
        content.Written(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await WriteSide().WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        content.Written(buffer.Length);
    }

    public override void Flush()
    {
        if (CanWrite)
        {
            inner.Flush();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => CanWrite ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            content.Report(ResponseEnd.Abandoned);
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        content.Report(ResponseEnd.Abandoned);
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void ReadCompleted()
    {
        var pending = _pending;
        _pending = default;
        int read;
        try
        {
            read = Ended(pending.GetResult(), _room);
        }
        catch (Exception ex)
        {
            content.Report(ResponseEnd.Failed, ex);
            _read.SetException(ex);
            return;
        }

        _read.SetResult(read);
    }

    private Stream WriteSide() => CanWrite ? inner : throw new NotSupportedException();

    // A read of nothing into a buffer with room is the end of the body (of an upgraded connection, only of one way); a
    // zero-length read only waits for data.
    private int Ended(int read, int room)
    {
        content.Read(read);
        if (read == 0 && room > 0 && !content.Upgraded)
        {
            content.Report(ResponseEnd.Completed);
        }

        return read;
    }
}
