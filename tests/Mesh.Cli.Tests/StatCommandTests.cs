using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Mesh.Cli.Tests;

public class StatCommandTests(ITestOutputHelper output)
{
    // Round robin makes the failing endpoint's ejection certain after a known number of requests; a minute-long
    // ejection keeps it ejected while stat runs.
    private const string RoundRobinWithLongEjection = """
        { "orders": { "LoadBalancer": "RoundRobin", "FailureAccrual": { "ConsecutiveFailures": 5, "BaseEjectionTime": "00:01:00", "MaxEjectionTime": "00:05:00" } } }
        """;

    [Fact]
    public async Task Stat_AfterTraffic_ShowsTheServiceAndEachEndpointWithItsState()
    {
        await using var healthy = await TestBackend.StartAsync(200);
        await using var failing = await TestBackend.StartAsync(503);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [healthy.Url, failing.Url] }, RoundRobinWithLongEjection));
        using (var client = sidecar.OutboundClient("orders"))
        {
            await Traffic.SendAsync(client, "/work", 40);
        }

        var result = await CliRunner.RunAsync("--admin", sidecar.Admin.Authority, "stat");
        output.WriteLine(result.Out);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        var services = Assert.Single(result.OutLines, l => l.StartsWith("orders ", StringComparison.Ordinal) && l.Contains(" out ", StringComparison.Ordinal));
        Assert.Contains("%", services, StringComparison.Ordinal);
        var healthyRow = Assert.Single(result.OutLines, l => l.Contains(Traffic.Name(healthy), StringComparison.Ordinal));
        Assert.Contains("ready", healthyRow, StringComparison.Ordinal);
        var failingRow = Assert.Single(result.OutLines, l => l.Contains(Traffic.Name(failing), StringComparison.Ordinal));
        Assert.Contains("ejected", failingRow, StringComparison.Ordinal);
        Assert.Contains("consecutive_failures", failingRow, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stat_AfterOpaqueTcp_ShowsTheTcpConnections_OpenAndClosed()
    {
        using var server = TcpBlobServer.Start(1000);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["blob"] = [server.Url] }));
        using (var closed = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "blob:9000"))
        {
            await TcpBlobServer.ExchangeAsync(closed.Stream, [0, 1, 2], closed.ShutdownSend);
        }

        // One more, held open while stat runs: the server has sent its bytes, and waits for the client's FIN.
        using var open = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "blob:9000");
        await open.Stream.WriteAsync(new byte[] { 0, 1 });
        await open.Stream.ReadExactlyAsync(new byte[1000]);

        // The sidecar counts the first tunnel closed once both its directions have ended, a moment after the client
        // closed it (seen still active on a loaded machine): stat is read until it shows that, or fails after 30 s.
        CliResult result = null!;
        string[] row = [];
        await Eventually.TrueAsync(
            async () =>
            {
                result = await CliRunner.RunAsync("--admin", sidecar.Admin.Authority, "stat");
                row = TcpRow(result, "blob");
                return row is [_, _, "1", ..];
            },
            "mesh stat shows one of the two tunnels still open");
        output.WriteLine(result.Out);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["blob", "out", "1", "2"], row[..4]);
    }

    // The fields of the TCP table's row of a destination.
    private static string[] TcpRow(CliResult result, string destination)
    {
        var tcpTable = Array.FindIndex(result.OutLines, l => l.StartsWith("TCP connections", StringComparison.Ordinal));
        Assert.True(tcpTable >= 0, "no TCP table");
        var row = Assert.Single(result.OutLines[tcpTable..], l => l.StartsWith(destination + " ", StringComparison.Ordinal));
        return row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--output", "json")]
    [InlineData("-o", "json")]
    public async Task StatJson_IsTheStatsJson_WithTheService(params string[] asJson)
    {
        await using var backend = await TestBackend.StartAsync(200);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using (var client = sidecar.OutboundClient("orders"))
        {
            await Traffic.SendAsync(client, "/work", 5);
        }

        var result = await CliRunner.RunAsync(["stat", .. asJson, "--window", "30s", "--admin", sidecar.Admin.Authority]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(30, json.RootElement.GetProperty("window_seconds").GetDouble());
        var orders = Assert.Single(json.RootElement.GetProperty("services").EnumerateArray(), s => s.GetProperty("service").GetString() == "orders");
        Assert.Equal(5, orders.GetProperty("requests").GetProperty("count").GetInt64());
        Assert.Equal(Traffic.Name(backend), Assert.Single(orders.GetProperty("endpoints").EnumerateArray()).GetProperty("endpoint").GetString());
    }

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    public async Task Stat_WhenTheAnswerIsNotMeshStats_ExitsOneSayingSo(string output)
    {
        // Something else listens where the admin endpoint was expected, and answers 200 with its own JSON.
        await using var other = await TestBackend.StartAsync(context => context.Response.WriteAsync("""{"status":"ok"}"""));

        var result = await CliRunner.RunAsync("stat", "--output", output, "--admin", new Uri(other.Url).Authority);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("mesh stat: the admin endpoint did not answer with Mesh stats:", result.Error, StringComparison.Ordinal);
        Assert.Contains("window_seconds", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stat_WhenTheAdminEndpointIsUnreachable_ExitsOneSayingWhere()
    {
        var port = FreePort.Get();

        var result = await CliRunner.RunAsync("stat", "--admin", $"127.0.0.1:{port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains($"cannot reach the Mesh admin endpoint at http://127.0.0.1:{port}/stats", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stat_WithAWindowOverAMinute_IsAUsageError()
    {
        var result = await CliRunner.RunAsync("stat", "--window", "5m", "--admin", $"127.0.0.1:{FreePort.Get()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--window", result.Error, StringComparison.Ordinal);
    }
}
