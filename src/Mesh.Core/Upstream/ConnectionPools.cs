using System.Collections.Concurrent;

namespace Mesh.Upstream;

/// <summary>
/// The connection pools calls go out on: one <see cref="SocketsHttpHandler"/> per idle timeout in use, since a handler's
/// <see cref="SocketsHttpHandler.PooledConnectionIdleTimeout"/> is fixed once it has sent. Services that keep their
/// connections equally long share a pool; a service whose idle timeout a reload changes moves to the pool of the new
/// value. There are as many pools as distinct values configured, at most one per service.
/// </summary>
/// <remarks>
/// SocketsHttpHandler does not check a connection's idle time when it takes it from the pool: a scavenger removes idle
/// connections every quarter of <see cref="SocketsHttpHandler.PooledConnectionIdleTimeout"/>, but at most once a second,
/// so a connection can be reused up to a scavenging period after its idle timeout. The pools are therefore made with a
/// shorter one (<see cref="HandlerIdleTimeout"/>), so that no connection idle for longer than the configured time is
/// ever reused: that bound, not the average, is what keeps a request off a connection its server is closing.
/// </remarks>
internal sealed class ConnectionPools(Func<TimeSpan, SocketsHttpHandler> create) : IDisposable
{
    private static readonly TimeSpan MinScavengePeriod = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<TimeSpan, HttpMessageInvoker> _pools = new();

    /// <summary>Gets the pool whose connections are reused only while idle less than <paramref name="idleTimeout"/>.</summary>
    public HttpMessageInvoker For(TimeSpan idleTimeout) =>
        _pools.TryGetValue(idleTimeout, out var pool) ? pool : _pools.GetOrAdd(idleTimeout, static (t, c) => new HttpMessageInvoker(c(HandlerIdleTimeout(t)), disposeHandler: true), create);

    /// <summary>
    /// Gets the <see cref="SocketsHttpHandler.PooledConnectionIdleTimeout"/> under which, scavenging period included, no
    /// connection idle longer than <paramref name="idleTimeout"/> is reused: the idle timeout h and the period
    /// max(1 s, h/4) add up to at most it. A second or less leaves nothing to pool with: connections are not reused.
    /// </summary>
    internal static TimeSpan HandlerIdleTimeout(TimeSpan idleTimeout)
    {
        if (idleTimeout <= MinScavengePeriod)
        {
            return TimeSpan.Zero;
        }

        // h ≥ 4 s scavenges every h/4 (h = 0.8 × idle, from 5 s up); below, every second (h = idle − 1 s).
        return idleTimeout >= 5 * MinScavengePeriod ? idleTimeout * 0.8 : idleTimeout - MinScavengePeriod;
    }

    public void Dispose()
    {
        foreach (var pool in _pools.Values)
        {
            pool.Dispose();
        }
    }
}
