using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

public sealed class CheckCommandTests : IDisposable
{
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
        var file = Write("""
            {
              "Mesh": {
                "Proxy": { "DrainTimeout": "-00:00:01" },
                "Services": { "orders": { "Retry": { "BudgetRatio": 1.5 } } }
              },
              "Services": { "orders": { "http": [ "http://127.0.0.1:8081", "not an endpoint" ] } }
            }
            """);

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
}
