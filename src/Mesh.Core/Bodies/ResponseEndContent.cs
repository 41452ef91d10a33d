using System.Net;

namespace Mesh.Bodies;

/// <summary>
/// A response body passed through untouched that says, once, how it ended: read to its end (its trailers have then
/// arrived), failed, or abandoned unread, and how many bytes passed. Like linkerd2-proxy's classification at end of
/// stream, it lets the outcome of a response whose status comes last (a gRPC status in trailers) be known without holding
/// back a single byte, and the bytes be counted without copying them. On an upgraded connection (a 101 WebSocket) the
/// body is the connection both ways: what is written to it is counted too, and it ends when it is disposed (closed).
/// </summary>
internal sealed class ResponseEndContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly IResponseEndObserver _observer;
    private long _read;
    private long _written;
    private int _reported;

    /// <param name="inner">The response's own content.</param>
    /// <param name="observer">Told once, on the thread that saw the end.</param>
    /// <param name="upgraded">Whether the body is an upgraded connection, which ends only when it is closed.</param>
    public ResponseEndContent(HttpContent inner, IResponseEndObserver observer, bool upgraded = false)
    {
        _inner = inner;
        _observer = observer;
        Upgraded = upgraded;
        foreach (var header in inner.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>Gets whether the body is an upgraded connection: read and written, ended by its close.</summary>
    internal bool Upgraded { get; }

    internal void Read(int count) => Interlocked.Add(ref _read, count);

    internal void Written(int count) => Interlocked.Add(ref _written, count);

    /// <summary>Reports <paramref name="end"/> unless an end was reported already.</summary>
    internal void Report(ResponseEnd end, Exception? error = null)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            _observer.Ended(end, error, Interlocked.Read(ref _read), Interlocked.Read(ref _written));
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new ResponseEndStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
        new ResponseEndStream(_inner.ReadAsStream(cancellationToken), this);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Report(ResponseEnd.Abandoned);
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
