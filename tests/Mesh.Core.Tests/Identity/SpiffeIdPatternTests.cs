using Mesh.Identity;

namespace Mesh.Core.Tests.Identity;

public class SpiffeIdPatternTests
{
    [Theory]
    [InlineData("spiffe://example.org/ns/shop/sa/orders", "spiffe://example.org/ns/shop/sa/orders", true)]
    [InlineData("spiffe://example.org/ns/shop/sa/orders", "spiffe://example.org/ns/shop/sa/orders2", false)]
    [InlineData("spiffe://example.org/ns/shop/sa/orders", "spiffe://other.org/ns/shop/sa/orders", false)]
    [InlineData("spiffe://example.org/ns/*/sa/orders", "spiffe://example.org/ns/shop/sa/orders", true)]
    [InlineData("spiffe://example.org/ns/*/sa/orders", "spiffe://example.org/ns/a/b/sa/orders", false)]
    [InlineData("spiffe://example.org/ns/shop/*", "spiffe://example.org/ns/shop/sa/orders", true)]
    [InlineData("spiffe://example.org/ns/shop/*", "spiffe://example.org/ns/shopping/sa/orders", false)]
    [InlineData("spiffe://example.org/*", "spiffe://example.org/ns/shop/sa/orders", true)]
    [InlineData("spiffe://example.org/*", "spiffe://example.org.evil/ns/shop/sa/orders", false)]
    [InlineData("spiffe://example.org/ns/shop/sa/web-*", "spiffe://example.org/ns/shop/sa/web-2", true)]
    [InlineData("spiffe://example.org/ns/*-prod/sa/*", "spiffe://example.org/ns/eu-prod/sa/orders", true)]
    [InlineData("spiffe://example.org/ns/*-prod/sa/*", "spiffe://example.org/ns/eu-test/sa/orders", false)]
    [InlineData("*", "spiffe://anything.example/x", true)]
    public void Matches_ExactIdsAndStarsAsDocumented(string pattern, string id, bool expected)
    {
        Assert.True(SpiffeIdPattern.TryParse(pattern, out var parsed, out var reason), reason);
        Assert.Equal(expected, parsed.Matches(id));
    }

    [Theory]
    [InlineData("orders", "does not start with spiffe://")]
    [InlineData("spiffe://Example.org/*", "has 'E' in its trust domain")]
    [InlineData("spiffe://example.org/**/x", "")]
    [InlineData("spiffe://example.org//*", "has an empty path segment")]
    public void APatternThatIsNoIdWithItsStarsFilledIn_IsRefused(string pattern, string reason)
    {
        var parsed = SpiffeIdPattern.TryParse(pattern, out _, out var actual);
        Assert.Equal(reason.Length == 0, parsed);
        Assert.StartsWith(reason, actual, StringComparison.Ordinal);
    }
}
