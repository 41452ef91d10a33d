using Mesh.Tap;

namespace Mesh.Core.Tests.Tap;

// Pins down what TapQuery.TryParse reads from each parameter and the edges of every range; written against the
// survivors of the first mutation run (tests/mutation/RESULTS.md).
public class TapQueryParsingTests
{
    private static TapQuery Parse(params (string Key, string Value)[] pairs)
    {
        var map = pairs.ToDictionary(p => p.Key, p => p.Value);
        Assert.True(TapQuery.TryParse(k => map.GetValueOrDefault(k), out var query, out var error), error);
        Assert.Equal("", error);
        return query;
    }

    private static TapEvent Event(string? endpoint = "10.0.0.1:80", params TapAttempt[] attempts) =>
        new(DateTimeOffset.UnixEpoch, "outbound", "orders", "GET", "orders", "/", 200, 10, "success", endpoint, attempts, [], null, null);

    [Fact]
    public void TryParse_ReadsEachParameterIntoItsProperty_Trimmed()
    {
        var query = Parse(("service", " orders "), ("direction", "inbound"), ("method", "post"), ("path", " /api "),
            ("endpoint", "10.0.0.1:80"), ("status", "503"), ("min_ms", "12.5"), ("limit", "7"), ("rate", "50"));

        Assert.Equal("orders", query.Service);
        Assert.Equal("inbound", query.Direction);
        Assert.Equal("POST", query.Method);
        Assert.Equal("/api", query.PathPrefix);
        Assert.Equal("10.0.0.1:80", query.Endpoint);
        Assert.Equal(503, query.Status);
        Assert.Null(query.StatusClass);
        Assert.Equal(12.5, query.MinDurationMs);
        Assert.Equal(7, query.Limit);
        Assert.Equal(50, query.Rate);
    }

    [Fact]
    public void TryParse_BlankValues_AreAbsent()
    {
        var query = Parse(("service", "  "), ("direction", ""), ("method", " "), ("path", "\t"), ("endpoint", ""), ("status", " "), ("min_ms", " "), ("limit", ""), ("rate", " "));

        Assert.Null(query.Service);
        Assert.Null(query.Direction);
        Assert.Null(query.Method);
        Assert.Null(query.PathPrefix);
        Assert.Null(query.Endpoint);
        Assert.Null(query.Status);
        Assert.Null(query.StatusClass);
        Assert.Null(query.MinDurationMs);
        Assert.Null(query.Limit);
        Assert.Equal(TapQuery.DefaultRate, query.Rate);
    }

    [Theory]
    [InlineData("outbound")]
    [InlineData("inbound")]
    public void TryParse_BothDirections_AreAccepted(string direction) => Assert.Equal(direction, Parse(("direction", direction)).Direction);

    [Theory]
    [InlineData("1xx", 1)]
    [InlineData("5XX", 5)]
    public void TryParse_StatusClassEdges(string status, int statusClass)
    {
        var query = Parse(("status", status));
        Assert.Equal(statusClass, query.StatusClass);
        Assert.Null(query.Status);
    }

    [Theory]
    [InlineData("100")]
    [InlineData("599")]
    public void TryParse_StatusCodeEdges_AreAccepted(string status) => Assert.Equal(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Parse(("status", status)).Status);

    [Theory]
    [InlineData("status", "99")]
    [InlineData("status", "600")]
    [InlineData("status", "0xx")]
    [InlineData("status", "6xx")]
    [InlineData("limit", "0")]
    [InlineData("limit", "0.5")]
    [InlineData("min_ms", "Infinity")]
    public void TryParse_OutOfRange_IsRejected_WithAReason(string key, string value)
    {
        Assert.False(TapQuery.TryParse(k => k == key ? value : null, out _, out var error));
        Assert.Contains(key, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NumberEdges()
    {
        Assert.Equal(0, Parse(("min_ms", "0")).MinDurationMs);
        Assert.Equal(1, Parse(("limit", "1")).Limit);
        Assert.Equal(int.MaxValue, Parse(("limit", "1e12")).Limit);
        Assert.Equal(1, Parse(("rate", "0")).Rate);
        Assert.Equal(10_000, Parse(("rate", "1e9")).Rate);
    }

    [Fact]
    public void TryParse_NullLookup_Throws() =>
        Assert.Throws<ArgumentNullException>(() => TapQuery.TryParse(null!, out _, out _));

    [Fact]
    public void Matches_EachConditionAlone_RejectsAMismatch()
    {
        var e = Event();
        Assert.False(Parse(("service", "billing")).Matches(e));
        Assert.True(Parse(("service", "ORDERS")).Matches(e));
        Assert.False(Parse(("direction", "inbound")).Matches(e));
        Assert.False(Parse(("method", "post")).Matches(e));
        Assert.True(Parse(("method", "get")).Matches(e));
        Assert.False(Parse(("min_ms", "10.5")).Matches(e));
        Assert.True(Parse(("min_ms", "10")).Matches(e));
    }

    [Fact]
    public void Matches_Endpoint_OfTheAnswerOrOfAnyAttempt()
    {
        var query = Parse(("endpoint", "10.0.0.2:80"));

        Assert.False(query.Matches(Event()));
        Assert.True(query.Matches(Event("10.0.0.2:80")));
        Assert.True(query.Matches(Event("10.0.0.1:80", new TapAttempt("10.0.0.2:80", "failure", 503, 3))));
        Assert.False(query.Matches(Event(null, new TapAttempt("10.0.0.3:80", "failure", 503, 3))));
    }

    [Fact]
    public void Matches_NullEvent_Throws() => Assert.Throws<ArgumentNullException>(() => new TapQuery().Matches(null!));
}
