using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Mesh.Cli.Tests;

/// <summary><c>mesh routes SERVICE</c> and <c>mesh tap --route</c> against a real sidecar with a configured route.</summary>
public class RoutesCommandTests(ITestOutputHelper output)
{
    // /reports/... is the reports route; /fail answers 503 and is not routed (default); failure accrual off, so the one
    // endpoint keeps answering.
    private const string Routes = """
        { "orders": { "FailureAccrual": { "Enabled": false }, "Routes": { "reports": { "Match": { "PathPrefix": "/reports" } } } } }
        """;

    private static Task<TestBackend> OkOrFailByPath() =>
        TestBackend.StartAsync(context =>
        {
            context.Response.StatusCode = context.Request.Path.StartsWithSegments("/fail") ? 503 : 200;
            return Task.CompletedTask;
        });

    private static async Task<(TestBackend Backend, Sidecar Sidecar)> StartWithTrafficAsync()
    {
        var backend = await OkOrFailByPath();
        var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }, Routes));
        using var client = sidecar.OutboundClient("orders");
        await Traffic.SendAsync(client, "/reports/daily", 12);
        await Traffic.SendAsync(client, "/fail", 3);
        return (backend, sidecar);
    }

    [Fact]
    public async Task Routes_ShowsEachRouteOfTheService_WithItsRateAndSuccess()
    {
        var (backend, sidecar) = await StartWithTrafficAsync();
        await using var _ = backend;
        await using var __ = sidecar;

        var result = await CliRunner.RunAsync("--admin", sidecar.Admin.Authority, "routes", "orders", "--window", "1m");
        output.WriteLine(result.Out);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains(result.OutLines, l => l.StartsWith("Routes of orders, last 60 s", StringComparison.Ordinal));
        var reports = Assert.Single(result.OutLines, l => l.StartsWith("reports ", StringComparison.Ordinal));
        Assert.Equal(["reports", "out", "0.2", "100%"], reports.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4]);
        var unrouted = Assert.Single(result.OutLines, l => l.StartsWith("default ", StringComparison.Ordinal));
        Assert.Equal(["default", "out", "0.05", "0%"], unrouted.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4]);
    }

    [Fact]
    public async Task RoutesJson_IsTheStatsJsonOfThatServiceAlone()
    {
        var (backend, sidecar) = await StartWithTrafficAsync();
        await using var _ = backend;
        await using var __ = sidecar;

        var result = await CliRunner.RunAsync("routes", "orders", "-o", "json", "--window", "30s", "--admin", sidecar.Admin.Authority);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(30, json.RootElement.GetProperty("window_seconds").GetDouble());
        var orders = Assert.Single(json.RootElement.GetProperty("services").EnumerateArray());
        var routes = orders.GetProperty("routes").EnumerateArray().ToDictionary(r => r.GetProperty("route").GetString()!, r => r.GetProperty("requests").GetProperty("count").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["default"] = 3, ["reports"] = 12 }, routes);
    }

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    public async Task Routes_OfAServiceWithNoRequests_ExitsOneSayingSo(string format)
    {
        var (backend, sidecar) = await StartWithTrafficAsync();
        await using var _ = backend;
        await using var __ = sidecar;

        var result = await CliRunner.RunAsync("routes", "payments", "--output", format, "--admin", sidecar.Admin.Authority);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("mesh routes: no service 'payments' has had a request through this Mesh (mesh stat lists those that have)", result.Error.Trim());
    }

    [Fact]
    public async Task Routes_WithoutAService_IsAUsageError()
    {
        var result = await CliRunner.RunAsync("routes");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("mesh: Required argument 'service' missing for command: 'routes'", result.Error, StringComparison.Ordinal);
        Assert.Contains("mesh routes <service> [options]", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TapWithRoute_PrintsOnlyThatRoutesRequests_NamingTheRoute()
    {
        var (backend, sidecar) = await StartWithTrafficAsync();
        await using var _ = backend;
        await using var __ = sidecar;
        using var client = sidecar.OutboundClient("orders");

        var tap = CliRunner.RunAsync("--admin", sidecar.Admin.Authority, "tap", "--route", "reports", "--limit", "2");
        while (!tap.IsCompleted)
        {
            using var fail = await client.GetAsync("/fail");
            using var report = await client.GetAsync("/reports/weekly");
        }

        var result = await tap;
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.OutLines.Length);
        Assert.All(result.OutLines, line =>
        {
            Assert.Contains(" /reports/weekly 200 ", line, StringComparison.Ordinal);
            Assert.Contains(" route=reports", line, StringComparison.Ordinal);
        });
    }
}
