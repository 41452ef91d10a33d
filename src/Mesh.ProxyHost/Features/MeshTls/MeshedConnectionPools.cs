using System.Collections.Concurrent;
using Mesh.Identity;
using Mesh.Upstream;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// The connection pools of meshed services: one set per identity their endpoints must prove, since a pooled connection
/// was checked against one identity at its handshake and must only carry requests that expect that one. Services that
/// expect the same identity share connections (HTTP/2, multiplexed). The table is bounded: when an identity is added,
/// sets unused for <see cref="RetireAfter"/> (a reload took their identity away; their connections are closed by then)
/// are dropped, and past <see cref="MaxIdentities"/> the least recently used one too. A dropped set is not disposed, so a
/// request still on it finishes; its connections close at their idle timeout and the collector takes the rest.
/// </summary>
internal sealed class MeshedConnectionPools(Func<SpiffeIdPattern, ConnectionPools> create, TimeProvider time) : IDisposable
{
    /// <summary>The most identities whose pools are kept at once.</summary>
    public const int MaxIdentities = 1000;

    /// <summary>
    /// How long a connection to a peer sidecar may sit idle and still be reused, for a service that leaves
    /// <c>Upstream:IdleTimeout</c> at its default: its 1.5 s is for application servers that close idle HTTP/1.1
    /// connections after 2 s; the peer is a Mesh sidecar whose Kestrel keeps an idle connection 130 s. Under that, so
    /// the client always closes first; as long as Go's HTTP client keeps its own (90 s), so low-rate traffic between
    /// sidecars does not pay a handshake per call.
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a set goes unused before it may be dropped: its connections are closed well before.</summary>
    public static readonly TimeSpan RetireAfter = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Entry> _pools = new(StringComparer.Ordinal);
    private readonly Lock _adding = new();

    /// <summary>Gets the number of identities whose pools are kept.</summary>
    public int Count => _pools.Count;

    public ConnectionPools For(SpiffeIdPattern expected)
    {
        if (!_pools.TryGetValue(expected.Text, out var entry))
        {
            entry = Add(expected);
        }

        entry.LastUsed = time.GetTimestamp();
        return entry.Pools;
    }

    private Entry Add(SpiffeIdPattern expected)
    {
        lock (_adding)
        {
            if (_pools.TryGetValue(expected.Text, out var existing))
            {
                return existing;
            }

            var now = time.GetTimestamp();
            Entry? oldest = null;
            foreach (var (key, entry) in _pools)
            {
                if (time.GetElapsedTime(entry.LastUsed, now) >= RetireAfter)
                {
                    _pools.TryRemove(key, out _);
                }
                else if (oldest is null || entry.LastUsed < oldest.LastUsed)
                {
                    oldest = entry;
                }
            }

            if (_pools.Count >= MaxIdentities && oldest is not null)
            {
                _pools.TryRemove(oldest.Key, out _);
            }

            var added = new Entry(expected.Text, create(expected)) { LastUsed = now };
            _pools[expected.Text] = added;
            return added;
        }
    }

    /// <summary>Disposes the pools kept (the sidecar is stopping).</summary>
    public void Dispose()
    {
        foreach (var entry in _pools.Values)
        {
            entry.Pools.Dispose();
        }
    }

    private sealed class Entry(string key, ConnectionPools pools)
    {
        public string Key { get; } = key;

        public ConnectionPools Pools { get; } = pools;

        // Written by every request without a lock: a torn read of a 64-bit value is not possible on 64-bit runtimes, and
        // a stale one only delays a retirement.
        public long LastUsed { get; set; }
    }
}
