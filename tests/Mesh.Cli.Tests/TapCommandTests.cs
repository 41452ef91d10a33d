using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.Cli.Tests;

public class TapCommandTests
{
    // Failure accrual off: the one endpoint keeps answering, so every /fail is a 503 and every /ok a 200.
    private const string NoEjection = """{ "orders": { "FailureAccrual": { "Enabled": false } } }""";

    private static Task<TestBackend> OkOrFailByPath() =>
        TestBackend.StartAsync(context =>
        {
            context.Response.StatusCode = context.Request.Path.StartsWithSegments("/fail") ? 503 : 200;
            return Task.CompletedTask;
        });

    /// <summary>Runs mesh tap while sending mixed traffic until it ends (the tap only sees requests made after it subscribed).</summary>
    private static async Task<CliResult> TapDuringMixedTrafficAsync(Sidecar sidecar, params string[] tapArgs)
    {
        using var client = sidecar.OutboundClient("orders");
        var tap = CliRunner.RunAsync(["--admin", sidecar.Admin.Authority, "tap", .. tapArgs]);
        while (!tap.IsCompleted)
        {
            using var ok = await client.GetAsync("/ok");
            using var fail = await client.GetAsync("/fail");
        }

        return await tap;
    }

    [Fact]
    public async Task Tap_WithStatusClassAndLimit_PrintsExactlyThatManyMatchingLines()
    {
        await using var backend = await OkOrFailByPath();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }, NoEjection));

        var result = await TapDuringMixedTrafficAsync(sidecar, "--status", "5xx", "--limit", "3");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, result.OutLines.Length);
        Assert.All(result.OutLines, line =>
        {
            Assert.Contains(" orders ", line, StringComparison.Ordinal);
            Assert.Contains(" /fail 503 ", line, StringComparison.Ordinal);
            Assert.Contains(Traffic.Name(backend), line, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--output", "json")]
    public async Task TapJson_PrintsOneTapEventObjectPerLine(params string[] asJson)
    {
        await using var backend = await OkOrFailByPath();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }, NoEjection));

        var result = await TapDuringMixedTrafficAsync(sidecar, ["--path", "/ok", "--limit", "2", .. asJson]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.OutLines.Length);
        Assert.All(result.OutLines, line =>
        {
            using var e = JsonDocument.Parse(line);
            Assert.Equal("orders", e.RootElement.GetProperty("service").GetString());
            Assert.Equal("/ok", e.RootElement.GetProperty("path").GetString());
            Assert.Equal(StatusCodes.Status200OK, e.RootElement.GetProperty("status").GetInt32());
        });
    }

    [Fact]
    public async Task Tap_WithAMalformedStatus_IsAUsageError()
    {
        var result = await CliRunner.RunAsync("tap", "--status", "5x", "--admin", $"127.0.0.1:{FreePort.Get()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--status", result.Error, StringComparison.Ordinal);
    }
}
