using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Client.Tests;

public class OptionsValidationTests
{
    [Theory]
    [InlineData("Mesh:Services:orders:LoadBalancer", "Fastest", "must be one of")]
    [InlineData("Mesh:Services:orders:PeakEwma:DecayTime", "-00:00:01", "must be greater than zero")]
    [InlineData("Mesh:Services:orders:PeakEwma:FailurePenalty", "-00:00:01", "must not be negative")]
    [InlineData("Mesh:Services:orders:Retry:BudgetRatio", "1.5", "must be in (0, 1], was 1.5")]
    [InlineData("Mesh:Services:orders:Timeouts:Total", "-00:00:05", "must be greater than zero")]
    [InlineData("Mesh:Services:orders:Timeouts:PerTry", "00:01:00", "must not exceed Timeouts:Total")]
    [InlineData("Mesh:Services:orders:FailureAccrual:MinSuccessRate", "2", "must be in [0, 1], was 2")]
    [InlineData("Mesh:Services:orders:Retry:MaxRetries", "-1", "must be in [0, 10], was -1")]
    public async Task InvalidOption_FailsAtStart_NamingTheKey(string key, string value, string reason)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            MeshClientHost.StartAsync(new Dictionary<string, string?> { [key] = value, ["Services:orders:http:0"] = "http://127.0.0.1:1" }));
        Assert.Contains($"{key} {reason}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnparsableValue_FailsAtStart_NamingTheKey()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            MeshClientHost.StartAsync(new Dictionary<string, string?> { ["Mesh:Services:orders:PeakEwma:DecayTime"] = "soon" }));
        Assert.Contains("Mesh:Services:orders:PeakEwma:DecayTime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADurationWithNoUnit_FailsAtStart_NamingTheKey()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            MeshClientHost.StartAsync(new Dictionary<string, string?> { ["Mesh:Services:orders:Timeouts:Total"] = "5", ["Services:orders:http:0"] = "http://127.0.0.1:1" }));
        Assert.Contains("Mesh:Services:orders:Timeouts:Total must be a duration such as 00:00:05, 5s, 250ms, 1m or 2h (a number alone has no unit), was '5'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DurationsWithUnits_AreRead()
    {
        await using var host = await MeshClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mesh:Services:orders:Timeouts:Total"] = "5s",
            ["Mesh:Services:orders:Timeouts:PerTry"] = "250ms",
            ["Services:orders:http:0"] = "http://127.0.0.1:1",
        });

        var options = host.Services.GetRequiredService<IOptionsMonitor<Mesh.Configuration.MeshServiceOptions>>().Get("orders");
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeouts.Total);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Timeouts.PerTry);
    }
}
