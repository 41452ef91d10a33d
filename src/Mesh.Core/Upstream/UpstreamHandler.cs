namespace Mesh.Upstream;

/// <summary>
/// The primary handler of one service's attempts, below the Mesh pipeline: sends each on a connection pool whose idle
/// timeout is the service's <c>Upstream:IdleTimeout</c>, read per request so a reload applies at once, or the shorter
/// one its endpoint asked for (<see cref="KeepAliveHints"/>), and notes what each response says about keep-alive.
/// </summary>
internal sealed class UpstreamHandler(ConnectionPools pools, Func<TimeSpan> idleTimeout, KeepAliveHints hints, bool ownsPools = false) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = request.RequestUri!;
        var response = await pools.For(hints.For(endpoint, idleTimeout())).SendAsync(request, cancellationToken).ConfigureAwait(false);
        hints.Observe(endpoint, response);
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsPools)
        {
            pools.Dispose();
        }

        base.Dispose(disposing);
    }
}
