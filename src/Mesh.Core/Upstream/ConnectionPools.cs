using System.Collections.Concurrent;

namespace Mesh.Upstream;

/// <summary>
/// The connection pools calls go out on: one <see cref="SocketsHttpHandler"/> per idle timeout in use, since a handler's
/// <see cref="SocketsHttpHandler.PooledConnectionIdleTimeout"/> is fixed once it has sent. Services that keep their
/// connections equally long share a pool; a service whose idle timeout a reload changes, or an endpoint that asks for a
/// shorter one (<see cref="KeepAliveHints"/>), moves to the pool of that value. There are as many pools as distinct
/// values: those configured (at most one per service) and the few that <c>Keep-Alive</c> hints below them produce.
/// </summary>
internal sealed class ConnectionPools(Func<TimeSpan, SocketsHttpHandler> create) : IDisposable
{
    private readonly ConcurrentDictionary<TimeSpan, HttpMessageInvoker> _pools = new();

    /// <summary>Gets the pool whose connections stay idle at most <paramref name="idleTimeout"/>.</summary>
    public HttpMessageInvoker For(TimeSpan idleTimeout) =>
        _pools.TryGetValue(idleTimeout, out var pool) ? pool : _pools.GetOrAdd(idleTimeout, static (t, c) => new HttpMessageInvoker(c(t), disposeHandler: true), create);

    public void Dispose()
    {
        foreach (var pool in _pools.Values)
        {
            pool.Dispose();
        }
    }
}
