using System.Diagnostics;
using System.Security;
using System.Text.Json;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>
/// Every package under src/ packed from this checkout, as CI packs it (CI=true), into a folder feed in a temporary
/// folder that also holds what the tests make from it (the consumer app, the installed tool, NuGet's packages).
/// </summary>
/// <remarks>
/// NuGet never sees a stale Mesh package: the version is this run's own (VersionPrefix plus a random pre-release
/// suffix), so no cache anywhere can already hold it, and the packages restored from the feed are extracted into this
/// folder (NUGET_PACKAGES), never into the machine's cache; the machine's cache is only read, as a fallback folder, for
/// the packages Mesh depends on. Builds go to a separate artifacts folder, so the checkout's bin/ and obj/ stay as
/// they are while other test assemblies run from them.
/// </remarks>
public sealed class PackedFeed : IAsyncLifetime
{
    /// <summary>The packages Mesh ships: the four libraries and the tool.</summary>
    public static readonly IReadOnlyList<string> Packages = ["Mesh.AspNetCore", "Mesh.Cli", "Mesh.Client", "Mesh.Core", "Mesh.Discovery.Dns"];

    /// <summary>The projects under src/ that ship otherwise (Mesh.ProxyHost: a container image or a binary, see deploy/).</summary>
    public static readonly IReadOnlyList<string> NotPackages = ["Mesh.ProxyHost"];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"mesh-packaging-{Guid.NewGuid():N}"[..30]);

    public string Feed => Path.Combine(Root, "feed");

    /// <summary>This run's pre-release suffix, one no earlier run used.</summary>
    public string VersionSuffix { get; } = $"pkgtest{Guid.NewGuid():N}"[..19];

    /// <summary>This run's version: <see cref="Repository.VersionPrefix"/> and <see cref="VersionSuffix"/>.</summary>
    public string Version => $"{Repository.VersionPrefix}-{VersionSuffix}";

    public string Commit { get; private set; } = "";

    public TimeSpan PackTook { get; private set; }

    /// <summary>The environment of every dotnet command that restores from the feed: packages land in this folder.</summary>
    public IReadOnlyDictionary<string, string> NuGetEnvironment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = Path.Combine(Root, "packages"),
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);

        // Whatever is made in here sees no MSBuild files from the folders above it, and this NuGet configuration.
        await File.WriteAllTextAsync(Path.Combine(Root, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(Root, "Directory.Build.targets"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(Root, "nuget.config"), NuGetConfig());

        Commit = await Repository.HeadAsync();

        // One pack of every src/ project (the sidecar is built, as the tool carries it, but does not pack).
        var filter = Path.Combine(Root, "packages.slnf");
        await File.WriteAllTextAsync(filter, JsonSerializer.Serialize(new
        {
            solution = new
            {
                path = Path.Combine(Repository.Root, "Mesh.sln"),
                projects = Packages.Select(Repository.SourceProjectPath).ToArray(),
            },
        }));
        var clock = Stopwatch.StartNew();
        var pack = await Command.DotnetAsync(
            ["pack", filter, "-c", "Release", "-o", Feed, "--artifacts-path", Path.Combine(Root, "artifacts"),
             $"-p:VersionSuffix={VersionSuffix}", "--disable-build-servers", "-nologo"],
            Repository.Root,
            new Dictionary<string, string> { ["CI"] = "true" },
            TimeSpan.FromMinutes(15));
        pack.EnsureSuccess();
        PackTook = clock.Elapsed;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    public NuGetPackage Package(string id) => new(Path.Combine(Feed, $"{id}.{Version}.nupkg"));

    public NuGetPackage Symbols(string id) => new(Path.Combine(Feed, $"{id}.{Version}.snupkg"));

    // The feed first; the machine's own cache, read-only, for what Mesh depends on (the solution's restore put it there);
    // the machine's configured sources (inherited from the user's NuGet.Config) for anything else.
    private string NuGetConfig()
    {
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mesh-test-feed" value="{SecurityElement.Escape(Feed)}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine-cache" value="{SecurityElement.Escape(machineCache)}" />
              </fallbackPackageFolders>
            </configuration>
            """;
    }
}
