using Mesh.Tap;

namespace Mesh.Core.Tests.Tap;

public class TapQueryTests
{
    private static TapEvent Event(string service = "orders", string direction = "outbound", string method = "GET", string path = "/api/orders/1", int? status = 200, double ms = 10, string? endpoint = "10.0.0.1:80", string? route = "default") =>
        new(DateTimeOffset.UnixEpoch, direction, service, method, service, path, status, ms, status >= 500 || status is null ? "failure" : "success", endpoint, [], [], null, null, Route: route);

    private static TapQuery Parse(params (string Key, string Value)[] pairs)
    {
        var map = pairs.ToDictionary(p => p.Key, p => p.Value);
        Assert.True(TapQuery.TryParse(k => map.GetValueOrDefault(k), out var query, out var error), error);
        return query;
    }

    [Fact]
    public void EmptyQuery_MatchesEverything()
    {
        Assert.True(Parse().Matches(Event()));
        Assert.Equal(TapQuery.DefaultRate, Parse().Rate);
    }

    [Fact]
    public void Route_MatchesThatRouteOnly_AnyCase()
    {
        var query = Parse(("route", "Get-Order"));
        Assert.Equal("Get-Order", query.Route);
        Assert.True(query.Matches(Event(route: "get-order")));
        Assert.False(query.Matches(Event(route: "default")));
        Assert.False(query.Matches(Event(route: null)));
        Assert.True(Parse(("route", "/pkg.Orders/Get")).Matches(Event(route: "/pkg.Orders/Get")));
    }

    [Fact]
    public void StatusClass_MatchesTheWholeClass()
    {
        var query = Parse(("status", "5xx"));
        Assert.True(query.Matches(Event(status: 503)));
        Assert.True(query.Matches(Event(status: 500)));
        Assert.False(query.Matches(Event(status: 200)));
        Assert.False(query.Matches(Event(status: null)));
    }

    [Fact]
    public void EveryCondition_MustHold()
    {
        var query = Parse(("service", "orders"), ("direction", "outbound"), ("method", "post"), ("path", "/api"), ("status", "201"), ("min_ms", "5"), ("endpoint", "10.0.0.1:80"));
        Assert.True(query.Matches(Event(method: "POST", status: 201)));
        Assert.False(query.Matches(Event(method: "GET", status: 201)));
        Assert.False(query.Matches(Event(method: "POST", status: 201, path: "/health")));
        Assert.False(query.Matches(Event(method: "POST", status: 201, ms: 1)));
        Assert.False(query.Matches(Event(method: "POST", status: 201, service: "billing")));
        Assert.False(query.Matches(Event(method: "POST", status: 201, direction: "inbound")));
        Assert.False(query.Matches(Event(method: "POST", status: 201, endpoint: "10.0.0.2:80")));
    }

    [Theory]
    [InlineData("status", "5x", "status must be")]
    [InlineData("status", "9xx", "status must be")]
    [InlineData("status", "700", "status must be")]
    [InlineData("direction", "sideways", "direction must be")]
    [InlineData("min_ms", "-1", "min_ms must be")]
    [InlineData("limit", "ten", "limit must be")]
    [InlineData("rate", "NaN", "rate must be")]
    public void MalformedValues_AreRejected_NamingTheParameter(string key, string value, string message)
    {
        Assert.False(TapQuery.TryParse(k => k == key ? value : null, out _, out var error));
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }
}
