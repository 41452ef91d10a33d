namespace Mesh.Upstream;

/// <summary>
/// The primary handler of one service's attempts, below the Mesh pipeline: sends each on the connection pool whose idle
/// timeout is the service's <c>Upstream:IdleTimeout</c>, read per request so a reload applies at once. A response's
/// <c>Keep-Alive: timeout=N</c> lowers it further for that connection: SocketsHttpHandler honours the header on
/// HTTP/1.1 as on 1.0 (checked by the keep-alive tests against a Node server).
/// </summary>
internal sealed class UpstreamHandler(ConnectionPools pools, Func<TimeSpan> idleTimeout, bool ownsPools = false) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        pools.For(idleTimeout()).SendAsync(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsPools)
        {
            pools.Dispose();
        }

        base.Dispose(disposing);
    }
}
