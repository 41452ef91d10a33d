using Mesh.Cli.Admin;

namespace Mesh.Cli.Tests;

public class AdminAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:4191", "http://127.0.0.1:4191/")]
    [InlineData("localhost:80", "http://localhost/")]
    [InlineData("http://127.0.0.1:4191", "http://127.0.0.1:4191/")]
    [InlineData("http://127.0.0.1:5000/mesh", "http://127.0.0.1:5000/mesh/")]
    [InlineData("https://app.local:8443/ops/mesh/", "https://app.local:8443/ops/mesh/")]
    public void TryParse_KeepsAPathPrefix_SoStatsResolvesUnderIt(string text, string expected)
    {
        Assert.True(AdminAddress.TryParse(text, out var address));
        Assert.Equal(expected, address.ToString());
        Assert.Equal(new Uri(expected + "stats"), new Uri(address, "stats"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("http://127.0.0.1:4191/?x=1")]
    [InlineData("127.0.0.1:4191/mesh")]
    public void TryParse_RejectsWhatIsNotAnAdminAddress(string text) =>
        Assert.False(AdminAddress.TryParse(text, out _));
}
