using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

public class TopCommandTests
{
    private static async Task<Sidecar> SidecarAfterFiveRequestsAsync(TestBackend backend)
    {
        var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using var client = sidecar.OutboundClient("orders");
        await Traffic.SendAsync(client, "/work", 5);
        return sidecar;
    }

    [Fact]
    public async Task Top_WithIterations_StopsOnItsOwn_AndShowsTheService()
    {
        await using var backend = await TestBackend.StartAsync(200);
        await using var sidecar = await SidecarAfterFiveRequestsAsync(backend);

        var result = await CliRunner.RunAsync("top", "--iterations", "2", "--interval", "50ms", "--admin", sidecar.Admin.Authority);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.OutLines, l => l.StartsWith("orders ", StringComparison.Ordinal) && l.Contains(" out ", StringComparison.Ordinal));
        Assert.Contains(Traffic.Name(backend), result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopOutputJson_PrintsOneStatsDocumentPerRefresh()
    {
        await using var backend = await TestBackend.StartAsync(200);
        await using var sidecar = await SidecarAfterFiveRequestsAsync(backend);

        var result = await CliRunner.RunAsync("top", "--output", "json", "--iterations", "3", "--interval", "50ms", "--window", "1m", "--admin", sidecar.Admin.Authority);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal(3, result.OutLines.Length);
        Assert.All(result.OutLines, line =>
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(60, json.RootElement.GetProperty("window_seconds").GetDouble());
            var orders = Assert.Single(json.RootElement.GetProperty("services").EnumerateArray());
            Assert.Equal("orders", orders.GetProperty("service").GetString());
            Assert.Equal(5, orders.GetProperty("requests").GetProperty("count").GetInt64());
        });
    }

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    public async Task Top_WhenTheAdminEndpointIsUnreachable_ExitsOne_InEitherOutput(string output)
    {
        var result = await CliRunner.RunAsync("top", "--iterations", "2", "--interval", "50ms", "--output", output, "--admin", $"127.0.0.1:{FreePort.Get()}");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("mesh top: cannot reach the Mesh admin endpoint", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_WhenTheAdminEndpointIsUnreachable_ExitsOne()
    {
        var result = await CliRunner.RunAsync("top", "--iterations", "1", "--admin", $"127.0.0.1:{FreePort.Get()}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the Mesh admin endpoint", result.Error, StringComparison.Ordinal);
    }
}
