using Mesh.Routing;

namespace Mesh.Core.Tests.Routing;

public class RequestPathTests
{
    [Theory]
    [InlineData("http://orders/orders/42?x=1", "/orders/42")]
    [InlineData("http://orders", "/")]
    [InlineData("http://orders?x", "/")]
    [InlineData("http://orders:8080/a/b#frag", "/a/b")]
    [InlineData("http://[::1]:80/v6", "/v6")]
    [InlineData("http://orders/a%2Fb", "/a%2Fb")]
    public void Of_IsThePathAsWritten(string uri, string path)
    {
        Assert.Equal(path, RequestPath.Of(new Uri(uri)).ToString());
    }

    [Fact]
    public void Of_AUriMadeFromABaseAndARelativePart_IsTheWholePath()
    {
        Assert.Equal("/api/orders/1", RequestPath.Of(new Uri(new Uri("http://orders/api/"), "orders/1")).ToString());
    }
}
