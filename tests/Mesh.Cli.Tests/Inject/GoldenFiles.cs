namespace Mesh.Cli.Tests.Inject;

/// <summary>
/// The golden files of <c>mesh inject</c>: <c>Golden/NAME.input.yaml</c> is what it reads, <c>Golden/NAME.output.yaml</c>
/// what it must write. Both are committed; a change of output is a change to review. After a deliberate change,
/// <c>MESH_UPDATE_GOLDEN=1 dotnet test --filter Inject_WritesTheGoldenOutput</c> rewrites the outputs in the source tree
/// (and the test still fails that run, so an update is never mistaken for a pass).
/// </summary>
public static class GoldenFiles
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Inject", "Golden");

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (var input in Directory.GetFiles(Folder, "*.input.yaml").Order(StringComparer.Ordinal))
        {
            cases.Add(Path.GetFileName(input)[..^".input.yaml".Length]);
        }

        return cases;
    }

    public static string Input(string name) => Path.Combine(Folder, $"{name}.input.yaml");

    public static string Output(string name) => Path.Combine(Folder, $"{name}.output.yaml");

    public static bool Updating => Environment.GetEnvironmentVariable("MESH_UPDATE_GOLDEN") == "1";

    /// <summary>Writes <paramref name="actual"/> as the expected output, in the source tree.</summary>
    public static void Update(string name, string actual)
    {
        var source = Path.Combine(Repository.Root, "tests", "Mesh.Cli.Tests", "Inject", "Golden", $"{name}.output.yaml");
        File.WriteAllText(source, actual);
    }
}
