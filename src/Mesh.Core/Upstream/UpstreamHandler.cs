namespace Mesh.Upstream;

/// <summary>
/// The primary handler of one service's attempts, below the Mesh pipeline: sends each on the connection pool whose idle
/// timeout is the service's <c>Upstream:IdleTimeout</c>, read per request so a reload applies at once. Under a handler
/// that serves any service (<c>AddMesh()</c>), the service comes with the request (<see cref="ServiceKey"/>) when its
/// idle timeout is not the default. A
/// response's <c>Keep-Alive: timeout=N</c> lowers it further for that connection: SocketsHttpHandler honours the header
/// on HTTP/1.1 as on 1.0 (checked by the keep-alive tests against a Node server).
/// </summary>
internal sealed class UpstreamHandler(ConnectionPools pools, Func<TimeSpan>? idleTimeout, bool ownsPools = false) : HttpMessageHandler
{
    /// <summary>The service of a request sent by a handler that serves the service each request's host names.</summary>
    public static readonly HttpRequestOptionsKey<MeshService> ServiceKey = new("Mesh.Service");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        pools.For(IdleTimeoutOf(request)).SendAsync(request, cancellationToken);

    private TimeSpan IdleTimeoutOf(HttpRequestMessage request)
    {
        if (idleTimeout is not null)
        {
            return idleTimeout();
        }

        return request.Options.TryGetValue(ServiceKey, out var service)
            ? service.Policy.Options.Upstream.IdleTimeout
            : Configuration.UpstreamOptions.DefaultIdleTimeout;
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
