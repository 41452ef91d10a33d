using Mesh.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.Packaging.Tests;

/// <summary>The mesh tool as a user installs it: from the feed, into a tool folder, run by its command name.</summary>
[Collection(PackedFeedCollection.Name)]
public class CliToolTests(PackedFeed feed, ITestOutputHelper output)
{
    [Fact]
    public async Task Tool_InstalledFromTheFeed_PrintsThisVersion_AndChecksAFileWithTheSidecarsValidator()
    {
        var tools = Path.Combine(feed.Root, "tools");
        var install = await Command.DotnetAsync(
            ["tool", "install", "Mesh.Cli", "--tool-path", tools, "--version", feed.Version, "--add-source", feed.Feed],
            feed.Root,
            feed.NuGetEnvironment);
        output.WriteLine($"{install.What}: {install.Took.TotalSeconds:F1} s");
        install.EnsureSuccess();
        var mesh = Path.Combine(tools, "mesh");

        // The version is VersionPrefix (and this run's suffix), built from this commit.
        var version = (await Command.RunAsync(mesh, ["--version"], feed.Root)).EnsureSuccess();
        Assert.Equal($"{feed.Version}+{feed.Commit}", version.Output.Trim());

        // The tool carries the sidecar's validator (and ASP.NET Core's framework): a bad file gets exit 3 and its key.
        var config = Path.Combine(feed.Root, "bad.json");
        await File.WriteAllTextAsync(config, """{ "Mesh": { "Services": { "orders": { "Retry": { "BudgetRatio": 1.5 } } } } }""");
        var check = await Command.RunAsync(mesh, ["check", "--config", config, "--admin", $"127.0.0.1:{FreePort.Get()}"], feed.Root);
        Assert.Equal(3, check.ExitCode);
        Assert.Contains("Mesh:Services:orders:Retry:BudgetRatio", check.Output, StringComparison.Ordinal);
    }
}
