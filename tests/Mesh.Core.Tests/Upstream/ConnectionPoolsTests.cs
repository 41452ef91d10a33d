using Mesh.Upstream;

namespace Mesh.Core.Tests.Upstream;

public sealed class ConnectionPoolsTests
{
    // SocketsHttpHandler scavenges idle connections every max(1 s, idle timeout / 4) and does not check the idle time
    // when it reuses one: the handler's timeout plus that period must not exceed the configured idle timeout.
    [Theory]
    [InlineData(1.5, 0.5)]
    [InlineData(3, 2)]
    [InlineData(5, 4)]
    [InlineData(60, 48)]
    [InlineData(1, 0)]
    [InlineData(0.5, 0)]
    public void HandlerIdleTimeout_PlusTheScavengingPeriod_NeverExceedsTheConfiguredOne(double configured, double handler)
    {
        var idle = ConnectionPools.HandlerIdleTimeout(TimeSpan.FromSeconds(configured));

        Assert.Equal(TimeSpan.FromSeconds(handler), idle);
        var period = TimeSpan.FromSeconds(Math.Max(1, idle.TotalSeconds / 4));
        Assert.True(idle == TimeSpan.Zero || idle + period <= TimeSpan.FromSeconds(configured), $"{idle} + {period} > {configured} s");
    }
}
