using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Detection;

namespace Mesh.ProxyHost.Tests.Transparent;

public class PortSetTests
{
    [Fact]
    public void TryParse_PortsAndRanges()
    {
        Assert.True(PortSet.TryParse("25, 3306,8000-8002", out var set, out _));
        Assert.True(set.Contains(25));
        Assert.True(set.Contains(3306));
        Assert.True(set.Contains(8001));
        Assert.False(set.Contains(8003));
        Assert.False(set.Contains(80));
    }

    [Fact]
    public void TheDefault_HasLinkerdsServerFirstPorts()
    {
        Assert.True(PortSet.TryParse(ProxyOptions.DefaultOpaquePorts, out var set, out _));
        Assert.All(new[] { 25, 587, 3306, 4444, 5432, 6379, 9300, 11211 }, port => Assert.True(set.Contains(port), $"{port}"));
        Assert.False(set.Contains(80));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("9000-8000")]
    [InlineData("25,,26")]
    public void TryParse_Refuses(string text)
    {
        Assert.False(PortSet.TryParse(text, out _, out var error));
        Assert.Contains("must be ports", error, StringComparison.Ordinal);
    }
}
