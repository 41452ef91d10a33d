using Mesh.Cli.Interception;

namespace Mesh.Cli.Tests.Interception;

public class PortListTests
{
    [Theory]
    [InlineData("80", "80")]
    [InlineData(" 80 , 443 ", "80,443")]
    [InlineData("8000-8100,80,80,8000-8100", "8000-8100,80")]
    [InlineData("1-65535", "1-65535")]
    [InlineData("7-7", "7")]
    public void TryParse_TakesPortsAndRanges_InOrder_WithoutRepeats(string text, string expected)
    {
        Assert.True(PortList.TryParse(text, out var list, out var reason), reason);
        Assert.Equal(expected, list.ToString());
    }

    [Fact]
    public void WithFirst_PutsAPortFirst_UnlessARangeHasItAlready()
    {
        Assert.True(PortList.TryParse("22", out var list, out _));
        Assert.Equal("4191,22", list.WithFirst(4191).ToString());

        Assert.True(PortList.TryParse("4000-5000", out var covering, out _));
        Assert.Same(covering, covering.WithFirst(4191));
    }

    [Fact]
    public void MultiportGroups_CountARangeAsTwo_AndStartANewGroupAtFifteen()
    {
        Assert.True(PortList.TryParse(string.Join(',', Enumerable.Range(1, 13)) + ",100-200,300", out var list, out _));

        Assert.Equal([string.Join(',', Enumerable.Range(1, 13)) + ",100:200", "300"], list.MultiportGroups());
        Assert.Empty(PortList.Empty.MultiportGroups());
    }
}
