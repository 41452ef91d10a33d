using Mesh.Identity;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.Upstream;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// The pools of meshed connections, one set per expected identity, are bounded: a set unused long enough is dropped when
/// another identity comes (a reload took its identity away), and there are never more than MaxIdentities.
/// </summary>
public class MeshedConnectionPoolsTests
{
    private readonly FakeTimeProvider _time = new();
    private int _made;

    private MeshedConnectionPools Pools() => new(_ =>
    {
        _made++;
        return new ConnectionPools(static _ => new SocketsHttpHandler());
    }, _time);

    private static SpiffeIdPattern Id(string path) =>
        SpiffeIdPattern.TryParse($"spiffe://example.org{path}", out var pattern, out _) ? pattern : throw new ArgumentException(path);

    [Fact]
    public void AnIdentity_KeepsItsPools()
    {
        using var pools = Pools();
        var first = pools.For(Id("/orders"));
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Same(first, pools.For(Id("/orders")));
        Assert.Equal(1, _made);
    }

    [Fact]
    public void PoolsUnusedLongEnough_AreDroppedWhenAnotherIdentityComes()
    {
        using var pools = Pools();
        var old = pools.For(Id("/old"));
        _time.Advance(MeshedConnectionPools.RetireAfter / 2);
        pools.For(Id("/recent"));
        _time.Advance(MeshedConnectionPools.RetireAfter / 2);

        pools.For(Id("/new"));

        Assert.Equal(2, pools.Count);
        Assert.NotSame(old, pools.For(Id("/old")));
    }

    [Fact]
    public void NeverMoreThanMaxIdentities_TheLeastRecentlyUsedGoes()
    {
        using var pools = Pools();
        for (var i = 0; i < MeshedConnectionPools.MaxIdentities + 5; i++)
        {
            pools.For(Id($"/service-{i}"));
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(MeshedConnectionPools.MaxIdentities, pools.Count);
        Assert.Equal(MeshedConnectionPools.MaxIdentities + 5, _made);

        // The most recent are kept; the first ones went.
        pools.For(Id($"/service-{MeshedConnectionPools.MaxIdentities + 4}"));
        Assert.Equal(MeshedConnectionPools.MaxIdentities + 5, _made);
        pools.For(Id("/service-0"));
        Assert.Equal(MeshedConnectionPools.MaxIdentities + 6, _made);
    }
}
