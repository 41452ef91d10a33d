using Mesh.Timeouts;

namespace Mesh.Core.Tests.Timeouts;

public class DeadlineHeadersTests
{
    [Theory]
    [InlineData("100m", 100)]
    [InlineData("5S", 5000)]
    [InlineData("1M", 60_000)]
    [InlineData("1H", 3_600_000)]
    [InlineData("2500u", 2.5)]
    [InlineData("3000000n", 3)]
    [InlineData("99999999m", 99_999_999)]
    public void GrpcTimeout_Parses(string value, double ms)
    {
        Assert.True(DeadlineHeaders.TryParseGrpcTimeout(value, out var timeout));
        Assert.Equal(ms, timeout.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("100")]
    [InlineData("100x")]
    [InlineData("-5S")]
    [InlineData("123456789m")]
    [InlineData("1.5S")]
    public void GrpcTimeout_Malformed_IsRejected(string value)
    {
        Assert.False(DeadlineHeaders.TryParseGrpcTimeout(value, out _));
    }

    [Theory]
    [InlineData("250", true, 250)]
    [InlineData(" 0 ", true, 0)]
    [InlineData("-1", false, 0)]
    [InlineData("1e3", false, 0)]
    [InlineData("99999999999999", false, 0)]
    public void MeshTimeout_Parses(string value, bool ok, double ms)
    {
        Assert.Equal(ok, DeadlineHeaders.TryParseMeshTimeout(value, out var timeout));
        Assert.Equal(ms, timeout.TotalMilliseconds);
    }

    [Fact]
    public void Read_TakesTheTighterOfBoth_AndIgnoresMalformed()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(50), DeadlineHeaders.Read("200", "50m"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), DeadlineHeaders.Read("200", "bogus"));
        Assert.Null(DeadlineHeaders.Read(null, null));
        Assert.Null(DeadlineHeaders.Read("soon", ""));
    }

    [Fact]
    public void Format_RoundTrips()
    {
        Assert.Equal("1234", DeadlineHeaders.FormatMeshTimeout(TimeSpan.FromMilliseconds(1234.9)));
        Assert.Equal("0", DeadlineHeaders.FormatMeshTimeout(TimeSpan.FromMilliseconds(-5)));
        Assert.Equal("1m", DeadlineHeaders.FormatGrpcTimeout(TimeSpan.Zero));
        Assert.Equal("1500m", DeadlineHeaders.FormatGrpcTimeout(TimeSpan.FromSeconds(1.5)));
    }
}
