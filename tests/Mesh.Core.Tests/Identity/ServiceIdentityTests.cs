using Mesh.Identity;

namespace Mesh.Core.Tests.Identity;

public class ServiceIdentityTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", "spiffe://example.org/ns/shop/sa/{service}", "spiffe://example.org/ns/shop/sa/orders")]
    [InlineData(null, "spiffe://example.org/*", "spiffe://example.org/*")]
    [InlineData("spiffe://example.org/ns/x/sa/y", "spiffe://example.org/*", "spiffe://example.org/ns/x/sa/y")]
    [InlineData("none", "spiffe://example.org/*", null)]
    [InlineData("None", null, null)]
    public void Resolve_TakesTheServicesOwn_ElseTheDefaultWithItsName_AndNoneIsPlaintext(string? configured, string? fallback, string? expected)
    {
        Assert.Equal(expected, ServiceIdentity.Resolve(configured, fallback, "orders"));
    }

    [Fact]
    public void Check_NamesWhatIsWrong()
    {
        Assert.Equal("", ServiceIdentity.Check("spiffe://example.org/*"));
        Assert.Equal("", ServiceIdentity.Check("none"));
        Assert.Equal(
            "must be a SPIFFE ID (spiffe://<trust-domain>/<path>), a pattern of one with * or 'none', was 'orders.shop': it does not start with spiffe://",
            ServiceIdentity.Check("orders.shop"));
    }
}
