using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.Packaging.Tests;

/// <summary>
/// What nuget.org and a debugger read from each package, packed as CI packs it: id, version, description, tags,
/// license, repository and commit, a readme saying how to install it, and symbols whose Source Link maps every source
/// file of the repository to the repository at this commit.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public partial class PackageContentsTests(PackedFeed feed, ITestOutputHelper output)
{
    public static TheoryData<string> Ids => [.. PackedFeed.Packages];

    [Fact]
    public void EverySourceProject_IsAPackage_OrShipsAnotherWay()
    {
        output.WriteLine($"packing took {feed.PackTook.TotalSeconds:F0} s");

        Assert.Equal([.. PackedFeed.Packages.Concat(PackedFeed.NotPackages).Order()], Repository.SourceProjects);
    }

    [Fact]
    public void Feed_HoldsEveryPackageAndItsSymbols_AtThisRunsVersion()
    {
        var expected = PackedFeed.Packages.SelectMany(id => new[] { $"{id}.{feed.Version}.nupkg", $"{id}.{feed.Version}.snupkg" }).Order();

        Assert.Equal(expected, Directory.GetFiles(feed.Feed).Select(Path.GetFileName).Order());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Package_NamesItself_ItsLicense_AndItsRepositoryAtThisCommit(string id)
    {
        var metadata = feed.Package(id).Metadata();

        Assert.Equal(id, metadata.Value("id"));
        Assert.Equal(feed.Version, metadata.Value("version"));
        Assert.Equal("Mesh contributors", metadata.Value("authors"));
        Assert.True(metadata.Value("description") is { Length: > 40 }, $"{id}: no real description");
        Assert.Contains("mesh", metadata.Value("tags")!.Split(' '));

        // The license expression is the repository's LICENSE.
        var license = metadata.Child("license")!;
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(Repository.Root, "LICENSE")), StringComparison.Ordinal);

        var repository = metadata.Child("repository")!;
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches(GitHubRepository(), repository.Attribute("url")?.Value ?? "");
        Assert.Equal(feed.Commit, repository.Attribute("commit")?.Value);
        Assert.StartsWith("https://", metadata.Value("projectUrl"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Package_DependsOnItsMeshSiblings_AtTheSameVersion(string id)
    {
        var meshDependencies = feed.Package(id).Metadata().Descendants()
            .Where(static e => e.Name.LocalName == "dependency" && e.Attribute("id")!.Value.StartsWith("Mesh.", StringComparison.Ordinal))
            .ToList();

        Assert.All(meshDependencies, d => Assert.Equal(feed.Version, d.Attribute("version")?.Value));
        string[] expected = id is "Mesh.Core" or "Mesh.Cli" ? [] : ["Mesh.Core"];  // the tool carries its own copies
        Assert.Equal(expected, meshDependencies.Select(static d => d.Attribute("id")!.Value));
    }

    public static TheoryData<string> Libraries => [.. PackedFeed.Packages.Where(static id => id != "Mesh.Cli")];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_ShowsItsInternals_OnlyToTests_AndMeshCoreToTheSidecar(string id)
    {
        // A package that reached into a sibling's internals would break when their versions differ: what a sibling
        // needs is public API (PublicAPI.*.txt). Tests, benchmarks and fuzz targets may see internals, and Mesh.Core's
        // are the sidecar's engine: Mesh.ProxyHost is no package, it ships as an image or binary from the same commit.
        var grants = AssemblyGrants.InternalsVisibleTo(feed.Package(id).Bytes($"lib/net10.0/{id}.dll"));
        output.WriteLine($"{id}: internals visible to {string.Join(", ", grants)}");

        Assert.All(grants, grantee => Assert.True(
            grantee.EndsWith(".Tests", StringComparison.Ordinal) || grantee is "Mesh.ProxyHost.Testing" or "Mesh.Benchmarks" or "Mesh.Fuzz.Targets"
                || (grantee == "Mesh.ProxyHost" && id == "Mesh.Core"),
            $"{id} shows its internals to {grantee}"));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Package_CarriesItsReadme_SayingHowToInstallIt(string id)
    {
        var package = feed.Package(id);

        Assert.Equal("README.md", package.Metadata().Value("readme"));
        var readme = package.Text("README.md");
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "src", id, "README.md")), readme);
        Assert.Contains(id == "Mesh.Cli" ? "dotnet tool install --global Mesh.Cli" : $"dotnet add package {id}", readme, StringComparison.Ordinal);
        Assert.Contains(id == "Mesh.Cli" ? "mesh stat" : "```csharp", readme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Symbols_MapEverySourceFileToTheRepositoryAtThisCommit(string id)
    {
        var package = feed.Package(id);
        var symbols = feed.Symbols(id);
        var repository = GitHubRepository().Match(package.Metadata().Child("repository")?.Attribute("url")?.Value ?? "");
        Assert.True(repository.Success, $"{id} names no GitHub repository");
        var raw = $"https://raw.githubusercontent.com/{repository.Groups["owner"].Value}/{repository.Groups["name"].Value}/{feed.Commit}/*";

        // Mesh's own assemblies: the library, or the tool and the Mesh assemblies it carries.
        var assemblies = package.Files().Where(static f => Path.GetFileName(f).StartsWith("Mesh.", StringComparison.Ordinal) && f.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(assemblies);
        foreach (var assembly in assemblies)
        {
            var pdb = new PortablePdb(symbols.Bytes(Path.ChangeExtension(assembly, ".pdb")));
            output.WriteLine($"{assembly}: {pdb.Documents.Count} documents, {pdb.Documents.Count(static d => d.Embedded)} embedded, Source Link {pdb.SourceLink}");

            Assert.NotNull(pdb.SourceLink);
            var map = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(pdb.SourceLink)!["documents"];
            Assert.Equal(new Dictionary<string, string> { ["/_/*"] = raw }, map);

            // A CI build (CI=true) maps the checkout to /_/, so no machine's path is in the PDB and Source Link covers
            // every file in git; what is not in git (generated sources) travels inside the PDB.
            Assert.Contains(pdb.Documents, static d => d.Path.StartsWith("/_/src/", StringComparison.Ordinal));
            Assert.All(pdb.Documents, d => Assert.True(
                d.Path.StartsWith("/_/", StringComparison.Ordinal) || d.Embedded,
                $"{assembly}: {d.Path} is neither under the mapped checkout nor embedded"));
        }
    }

    [GeneratedRegex(@"^https://github\.com/(?<owner>[^/]+)/(?<name>[^/]+?)(\.git)?$")]
    private static partial Regex GitHubRepository();
}
