using System.Collections.Concurrent;
using Mesh.Identity;
using Mesh.Upstream;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// The connection pools of meshed services: one set per identity their endpoints must prove, since a pooled connection
/// was checked against one identity at its handshake and must only carry requests that expect that one. Services that
/// expect the same identity share connections (HTTP/2, multiplexed). There are as many sets as distinct identities the
/// configuration has named, as <see cref="ConnectionPools"/> has one pool per idle timeout.
/// </summary>
internal sealed class MeshedConnectionPools(Func<SpiffeIdPattern, ConnectionPools> create) : IDisposable
{
    private readonly ConcurrentDictionary<string, ConnectionPools> _pools = new(StringComparer.Ordinal);

    public ConnectionPools For(SpiffeIdPattern expected) =>
        _pools.TryGetValue(expected.Text, out var pools) ? pools : _pools.GetOrAdd(expected.Text, static (_, state) => state.create(state.expected), (create, expected));

    public void Dispose()
    {
        foreach (var pools in _pools.Values)
        {
            pools.Dispose();
        }
    }
}
