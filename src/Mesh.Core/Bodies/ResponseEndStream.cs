namespace Mesh.Bodies;

/// <summary>
/// The read side of <see cref="ResponseEndContent"/>: every read goes straight to the response's stream; the read that
/// returns nothing reports the end, one that throws reports a failure, and disposing it before either, an abandoned body.
/// </summary>
internal sealed class ResponseEndStream(Stream inner, ResponseEndContent content) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

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

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Ended(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);
        }
        catch (Exception ex)
        {
            content.Report(ResponseEnd.Failed, ex);
            throw;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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

    // A read of nothing into a buffer with room is the end of the body; a zero-length read only waits for data.
    private int Ended(int read, int room)
    {
        if (read == 0 && room > 0)
        {
            content.Report(ResponseEnd.Completed);
        }

        return read;
    }
}
