using Mesh.Discovery.Dns.Resolution;

namespace Mesh.Discovery.Dns.Tests.Resolution;

public class TtlPolicyTests
{
    private static readonly TimeSpan Floor = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.2, 1)]
    [InlineData(1, 1)]
    [InlineData(5, 5)]
    [InlineData(30, 30)]
    [InlineData(60, 60)]
    [InlineData(3600, 60)]
    public void Clamp_KeepsTheTtlWithinFloorAndCeiling(double ttlSeconds, double expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), TtlPolicy.Clamp(TimeSpan.FromSeconds(ttlSeconds), Floor, Ceiling));

    [Fact]
    public void Clamp_WithEqualFloorAndCeiling_AlwaysGivesThatValue()
    {
        var fixedTtl = TimeSpan.FromSeconds(10);
        Assert.Equal(fixedTtl, TtlPolicy.Clamp(TimeSpan.Zero, fixedTtl, fixedTtl));
        Assert.Equal(fixedTtl, TtlPolicy.Clamp(TimeSpan.MaxValue, fixedTtl, fixedTtl));
    }
}
