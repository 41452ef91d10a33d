using Mesh.Configuration;
using Mesh.Configuration.Shape;

namespace Mesh.Core.Tests.Configuration;

public sealed class ConfigurationShapeTests
{
    private static readonly ConfigurationShape Shape = ConfigurationShape.ForServices();

    [Theory]
    [InlineData("Mesh:Services:orders:Retry:MaxRetry", "Mesh:Services:orders:Retry:MaxRetries")]
    [InlineData("Mesh:Services:orders:Timeout:Total", "Mesh:Services:orders:Timeouts")]
    [InlineData("Mesh:Services:orders:LoadBalancr", "Mesh:Services:orders:LoadBalancer")]
    [InlineData("Mesh:DynamicServices:IdleTimout", "Mesh:DynamicServices:IdleTimeout")]
    [InlineData("Mesh:Services:orders:Classification:FailureStatus", "Mesh:Services:orders:Classification:FailureStatuses")]
    [InlineData("Mesh:Services:orders:Routes:get-order:Match:Paht", "Mesh:Services:orders:Routes:get-order:Match:Path")]
    [InlineData("Mesh:Services:orders:Routes:get-order:Idempotant", "Mesh:Services:orders:Routes:get-order:Idempotent")]
    [InlineData("Mesh:Services:orders:Routes:get-order:Timeouts:PerTri", "Mesh:Services:orders:Routes:get-order:Timeouts:PerTry")]
    [InlineData("Mesh:Services:orders:MaxRouteValue", "Mesh:Services:orders:MaxRouteValues")]
    public void Misspelled_NamesTheNearestKnownKey(string key, string nearest)
    {
        var warning = Assert.Single(Shape.Misspelled([key]));

        Assert.EndsWith($"(did you mean {nearest}?)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Misspelled_SaysNothingOfKnownKeysOrOfSectionsMeshDoesNotMap()
    {
        Assert.Empty(Shape.Misspelled([
            "Mesh:Services:orders:Retry:MaxRetries",
            "mesh:services:ORDERS:peakewma:decaytime",
            "Mesh:Services:orders:Routes:get-order:Match:Headers:x-canary",
            "Mesh:Services:orders:Routes:get-order:Retry:MaxRetries",
            "Mesh:Services:orders:Routes:get-order:Classification:RetryableGrpcStatuses",
            "Mesh:Services",
            "Services:orders:http:0",
            "Logging:LogLevel:Default",
        ]));
    }

    [Fact]
    public void Misspelled_ReportsAKeyOnce_WithoutASuggestionWhenNothingIsClose()
    {
        Assert.Equal(
            ["Mesh:Services:orders:Frobnicate is not a Mesh setting; it is ignored"],
            Shape.Misspelled(["Mesh:Services:orders:Frobnicate:A", "Mesh:Services:orders:Frobnicate:B"]));
    }

    [Fact]
    public void Durations_InUnitForm_AreRewritten_ABareNumberIsAnError()
    {
        var data = new Dictionary<string, string?>
        {
            ["Mesh:Services:orders:Timeouts:Total"] = "5s",
            ["Mesh:Services:orders:Timeouts:PerTry"] = "250ms",
            ["Mesh:Services:orders:Retry:MaxDelay"] = "00:00:00.300",
            ["Mesh:Services:orders:Retry:MaxRetries"] = "3",
            ["Mesh:Services:orders:PeakEwma:DecayTime"] = "10",
            ["Mesh:Services:orders:Routes:reports:Timeouts:PerTry"] = "2s",
        };

        var errors = ConfigurationDurations.Normalize(data, Shape);

        Assert.Equal("00:00:05", data["Mesh:Services:orders:Timeouts:Total"]);
        Assert.Equal("00:00:00.2500000", data["Mesh:Services:orders:Timeouts:PerTry"]);
        Assert.Equal("00:00:00.3000000", data["Mesh:Services:orders:Retry:MaxDelay"]);
        Assert.Equal("3", data["Mesh:Services:orders:Retry:MaxRetries"]);
        Assert.Equal("00:00:02", data["Mesh:Services:orders:Routes:reports:Timeouts:PerTry"]);
        Assert.Equal(["Mesh:Services:orders:PeakEwma:DecayTime must be a duration such as 00:00:05, 5s, 250ms, 1m or 2h (a number alone has no unit), was '10'"], errors);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("5s", 5_000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("00:00:05", 5_000)]
    [InlineData("1.00:00:00", 86_400_000)]
    public void Duration_ReadsBothForms(string text, double milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("0.5")]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("5 parsecs")]
    public void Duration_RefusesABareNumberAndNonsense(string text) => Assert.False(Duration.TryParse(text, out _));
}
