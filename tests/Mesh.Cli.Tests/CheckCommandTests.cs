using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

public sealed class CheckCommandTests : IDisposable
{
    private const string ThreeErrors = """
        {
          "Mesh": {
            "Proxy": { "DrainTimeout": "-00:00:01" },
            "Services": { "orders": { "Retry": { "BudgetRatio": 1.5 } } }
          },
          "Services": { "orders": { "http": [ "http://127.0.0.1:8081", "not an endpoint" ] } }
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("mesh-cli-check-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    // An admin address nothing answers: the file check must not depend on a sidecar.
    private static string Nowhere() => $"127.0.0.1:{FreePort.Get()}";

    [Fact]
    public async Task CheckConfig_WithThreeErrors_ExitsThree_AndNamesEachKey()
    {
        var file = Write(ThreeErrors);

        var result = await CliRunner.RunAsync("check", "--config", file, "--admin", Nowhere());

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("3 configuration errors", result.Out, StringComparison.Ordinal);
        Assert.Contains("Mesh:Proxy:DrainTimeout", result.Out, StringComparison.Ordinal);
        Assert.Contains("Mesh:Services:orders:Retry:BudgetRatio", result.Out, StringComparison.Ordinal);
        Assert.Contains("Services:orders:http:1", result.Out, StringComparison.Ordinal);
        Assert.Contains("warning:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_OnAValidFile_ExitsZero_EvenWithTheAdminUnreachable()
    {
        var file = Write("""
            {
              "Mesh": { "Services": { "orders": { "Retry": { "MaxRetries": 3 } } } },
              "Services": { "orders": { "http": [ "http://127.0.0.1:8081" ] } }
            }
            """);

        var result = await CliRunner.RunAsync("check", "--config", file, "--admin", Nowhere());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("configuration is valid", result.Out, StringComparison.Ordinal);
        Assert.Contains("unreachable", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_OnBrokenJson_ExitsThree_NamingTheFile()
    {
        var file = Write("""{ "Mesh": { "Proxy": """);

        var result = await CliRunner.RunAsync("check", "--config", file, "--admin", Nowhere());

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{file} is not a valid JSON configuration file", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_AgainstARunningSidecar_ReportsReady()
    {
        await using var backend = await TestBackend.StartAsync(200);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        var result = await CliRunner.RunAsync("check", "--admin", sidecar.Admin.Authority);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("ready", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WithoutConfig_AndTheAdminUnreachable_ExitsOne()
    {
        var result = await CliRunner.RunAsync("check", "--admin", Nowhere());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unreachable", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckOutputJson_ListsEveryErrorWithItsKey_AndTheReadiness_ExitingThree()
    {
        var file = Write(ThreeErrors);
        var admin = Nowhere();

        var result = await CliRunner.RunAsync("check", "--config", file, "--admin", admin, "--output", "json");

        Assert.Equal(3, result.ExitCode);
        using var json = JsonDocument.Parse(Assert.Single(result.OutLines));
        var config = json.RootElement.GetProperty("config");
        Assert.Equal(file, config.GetProperty("path").GetString());
        Assert.False(config.GetProperty("valid").GetBoolean());
        var errors = config.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Mesh:Proxy:DrainTimeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mesh:Services:orders:Retry:BudgetRatio", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Services:orders:http:1", StringComparison.Ordinal));
        var readiness = json.RootElement.GetProperty("admin");
        Assert.Equal($"http://{admin}/", readiness.GetProperty("address").GetString());
        Assert.Equal("unreachable", readiness.GetProperty("state").GetString());
        Assert.Contains("cannot reach", readiness.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("warning:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckOutputJson_AgainstARunningSidecar_IsReady_WithNoConfigPart()
    {
        await using var backend = await TestBackend.StartAsync(200);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        var result = await CliRunner.RunAsync("check", "--json", "--admin", sidecar.Admin.Authority);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("config").ValueKind);
        Assert.Equal("ready", json.RootElement.GetProperty("admin").GetProperty("state").GetString());
        Assert.Equal("ready", json.RootElement.GetProperty("admin").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task CheckOutputJson_WithoutConfig_AndTheAdminUnreachable_ExitsOne()
    {
        var result = await CliRunner.RunAsync("check", "-o", "json", "--admin", Nowhere());

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("unreachable", json.RootElement.GetProperty("admin").GetProperty("state").GetString());
        Assert.Contains("unreachable", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_OnAMissingFile_IsAUsageError_NamingTheFile()
    {
        var missing = Path.Combine(_folder, "missing.json");

        var result = await CliRunner.RunAsync("check", "--config", missing, "--admin", Nowhere());

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.StartsWith($"mesh: --config: no such file '{missing}'", result.Error, StringComparison.Ordinal);
    }
}
