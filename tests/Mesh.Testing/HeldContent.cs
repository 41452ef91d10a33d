using System.Net;

namespace Mesh.Testing;

/// <summary>
/// A request body of known length, like one arriving off a slow network: its first <c>sentAtOnce</c> bytes go at
/// once, then the content flushes (so an HTTP/2 request's HEADERS leave even when nothing was written: HttpClient
/// otherwise holds them back until the first write), and the rest goes only when <c>release</c> completes.
/// </summary>
public sealed class HeldContent(byte[] body, Task release, int sentAtOnce = 0) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(body.AsMemory(0, sentAtOnce));
        await stream.FlushAsync();
        await release;
        await stream.WriteAsync(body.AsMemory(sentAtOnce));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}
