using Mesh.Configuration;
using Mesh.Routing;

namespace Mesh.Core.Tests.Routing;

public class RouteMatcherTests
{
    private static bool Matches(RouteMatchOptions match, HttpRequestMessage request)
    {
        var grpc = request.Content?.Headers.ContentType?.MediaType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
        return RouteMatcher.Compile(match, "Match").Matches(request, RequestPath.Of(request.RequestUri), grpc);
    }

    private static HttpRequestMessage Request(string method, string uri, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), uri);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static HttpRequestMessage Grpc(string path)
    {
        var request = Request("POST", "http://orders" + path);
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.ContentType = new("application/grpc");
        return request;
    }

    [Fact]
    public void NoCondition_MatchesEverything() => Assert.True(Matches(new(), Request("DELETE", "http://orders/anything")));

    [Fact]
    public void Method_AnyCase()
    {
        Assert.True(Matches(new() { Method = "post" }, Request("POST", "http://orders/x")));
        Assert.False(Matches(new() { Method = "post" }, Request("GET", "http://orders/x")));
    }

    [Theory]
    [InlineData("/api", "/api", true)]
    [InlineData("/api", "/api/x", true)]
    [InlineData("/api", "/apix", false)]
    [InlineData("/api/", "/api/x", true)]
    [InlineData("/", "/anything", true)]
    public void PathPrefix_ByWholeSegments(string prefix, string path, bool matches) =>
        Assert.Equal(matches, Matches(new() { PathPrefix = prefix }, Request("GET", "http://orders" + path)));

    [Fact]
    public void Headers_NameAnyCase_ValueExact_EveryOneRequired()
    {
        var match = new RouteMatchOptions { Headers = { ["X-Canary"] = "1", ["x-tenant"] = "a" } };
        Assert.True(Matches(match, Request("GET", "http://orders/", ("x-canary", "1"), ("X-Tenant", "a"))));
        Assert.False(Matches(match, Request("GET", "http://orders/", ("x-canary", "1"))));
        Assert.False(Matches(match, Request("GET", "http://orders/", ("x-canary", "true"), ("x-tenant", "a"))));
        Assert.False(Matches(match, Request("GET", "http://orders/", ("x-canary", "1"), ("x-tenant", "A"))));
    }

    [Fact]
    public void Grpc_ServiceAndMethod_OnlyForGrpcCalls()
    {
        var service = new RouteMatchOptions { GrpcService = "orders.v1.Orders" };
        var method = new RouteMatchOptions { GrpcService = "orders.v1.Orders", GrpcMethod = "Get" };
        Assert.True(Matches(service, Grpc("/orders.v1.Orders/Get")));
        Assert.True(Matches(service, Grpc("/orders.v1.Orders/List")));
        Assert.False(Matches(service, Grpc("/orders.v1.OrdersX/Get")));
        Assert.True(Matches(method, Grpc("/orders.v1.Orders/Get")));
        Assert.False(Matches(method, Grpc("/orders.v1.Orders/GetAll")));
        Assert.False(Matches(method, Grpc("/orders.v1.Orders/x/Get")));
        Assert.False(Matches(service, Request("POST", "http://orders/orders.v1.Orders/Get")));
        Assert.True(Matches(new() { GrpcMethod = "Get" }, Grpc("/any.Service/Get")));
    }

    [Fact]
    public void EveryConditionMustHold()
    {
        var match = new RouteMatchOptions { Method = "GET", Path = "/orders/{id}", Headers = { ["x-canary"] = "1" } };
        Assert.True(Matches(match, Request("GET", "http://orders/orders/7", ("x-canary", "1"))));
        Assert.False(Matches(match, Request("GET", "http://orders/orders/7")));
        Assert.False(Matches(match, Request("PUT", "http://orders/orders/7", ("x-canary", "1"))));
    }
}
