using System.Xml.Linq;

namespace Mesh.Testing;

/// <summary>The checkout the tests run from: its root, the version it builds, its commit, its projects under src/.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The one version of everything Mesh ships: VersionPrefix in Directory.Build.props.</summary>
    public static string VersionPrefix { get; } =
        XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    /// <summary>The names of the projects under src/ (one folder each).</summary>
    public static IReadOnlyList<string> SourceProjects { get; } =
        [.. Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).Order()!];

    public static string SourceProjectPath(string name) => $"src/{name}/{name}.csproj";

    /// <summary>The commit checked out, what Source Link and the packages' repository element must name.</summary>
    public static async Task<string> HeadAsync()
    {
        var result = await Command.RunAsync("git", ["-C", Root, "rev-parse", "HEAD"], Root, timeout: TimeSpan.FromSeconds(30));
        return result.EnsureSuccess().Output.Trim();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Mesh.sln above {AppContext.BaseDirectory}");
    }
}
