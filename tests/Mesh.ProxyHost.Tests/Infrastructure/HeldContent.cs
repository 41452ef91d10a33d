using System.Net;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>A body of known length whose bytes are sent only once <c>release</c> completes.</summary>
public sealed class HeldContent(byte[] body, Task release) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        // HttpClient holds an HTTP/2 request's HEADERS back until the body's first write unless flushed: flush them
        // now (as gRPC's and YARP's streaming bodies do), or the sidecar may never see the request it must refuse.
        await stream.FlushAsync();
        await release;
        await stream.WriteAsync(body);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}
