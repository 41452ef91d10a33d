using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

public class TopCommandTests
{
    [Fact]
    public async Task Top_WithIterations_StopsOnItsOwn_AndShowsTheService()
    {
        await using var backend = await TestBackend.StartAsync(200);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using (var client = sidecar.OutboundClient("orders"))
        {
            await Traffic.SendAsync(client, "/work", 5);
        }

        var result = await CliRunner.RunAsync("top", "--iterations", "2", "--interval", "50ms", "--admin", sidecar.Admin.Authority);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.OutLines, l => l.StartsWith("orders ", StringComparison.Ordinal) && l.Contains(" out ", StringComparison.Ordinal));
        Assert.Contains(Traffic.Name(backend), result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_WhenTheAdminEndpointIsUnreachable_ExitsOne()
    {
        var result = await CliRunner.RunAsync("top", "--iterations", "1", "--admin", $"127.0.0.1:{FreePort.Get()}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the Mesh admin endpoint", result.Error, StringComparison.Ordinal);
    }
}
