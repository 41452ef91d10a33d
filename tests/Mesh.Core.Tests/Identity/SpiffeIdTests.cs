using Mesh.Identity;

namespace Mesh.Core.Tests.Identity;

public class SpiffeIdTests
{
    [Theory]
    [InlineData("spiffe://example.org/ns/shop/sa/orders", "example.org", "/ns/shop/sa/orders")]
    [InlineData("spiffe://cluster.local", "cluster.local", "")]
    [InlineData("spiffe://my_td-1.example/Workload.A-b_c", "my_td-1.example", "/Workload.A-b_c")]
    public void AValidId_IsReadIntoTrustDomainAndPath(string text, string trustDomain, string path)
    {
        Assert.True(SpiffeId.TryParse(text, out var id, out var reason), reason);
        Assert.Equal(text, id.Value);
        Assert.Equal(trustDomain, id.TrustDomain);
        Assert.Equal(path, id.Path);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("https://example.org/a", "does not start with spiffe://")]
    [InlineData("SPIFFE://example.org/a", "does not start with spiffe://")]
    [InlineData("spiffe:///a", "has no trust domain")]
    [InlineData("spiffe://Example.org/a", "has 'E' in its trust domain")]
    [InlineData("spiffe://example.org:8443/a", "has ':' in its trust domain")]
    [InlineData("spiffe://user@example.org/a", "has '@' in its trust domain")]
    [InlineData("spiffe://example.org/a/", "has an empty path segment")]
    [InlineData("spiffe://example.org//a", "has an empty path segment")]
    [InlineData("spiffe://example.org/a/../b", "has a '.' or '..' path segment")]
    [InlineData("spiffe://example.org/a?x=1", "has '?' in its path")]
    [InlineData("spiffe://example.org/a#f", "has '#' in its path")]
    [InlineData("spiffe://example.org/a b", "has ' ' in its path")]
    public void AnInvalidId_IsRefused_SayingWhy(string text, string reason)
    {
        Assert.False(SpiffeId.TryParse(text, out _, out var actual));
        Assert.StartsWith(reason, actual, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIdOver2048Characters_IsRefused()
    {
        var text = "spiffe://example.org/" + new string('a', 2048);
        Assert.False(SpiffeId.TryParse(text, out _, out var reason));
        Assert.Equal("is longer than 2048 characters", reason);
    }
}
