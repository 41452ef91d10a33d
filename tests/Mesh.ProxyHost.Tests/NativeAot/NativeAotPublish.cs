using System.Text.RegularExpressions;

namespace Mesh.ProxyHost.Tests.NativeAot;

/// <summary>
/// The sidecar published as NativeAOT from this checkout, once per test run, as bench/load/run.sh publishes what the load
/// suite measures: Release, linux-x64, PublishAot with the csproj's own settings (Speed, the framework's PGO profile,
/// x86-64-v3, the GC sizes). Trim and AOT warnings are collected, not fatal (TreatWarningsAsErrors off, as run.sh does),
/// so that a test can name them. Everything is built in a temporary folder of its own (--artifacts-path): the
/// checkout's bin/ and obj/, which the other test assemblies run from meanwhile, are not touched.
/// </summary>
/// <remarks>
/// A publish that fails fails every test of the collection with the compiler's errors; NativeAOT links with clang
/// (test.sh installs it), and its absence is a failure, never a skip.
/// </remarks>
public sealed partial class NativeAotPublish : IAsyncLifetime
{
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(10);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"mesh-aot-{Guid.NewGuid():N}"[..21]);

    /// <summary>The native sidecar, in the publish folder beside its appsettings.json.</summary>
    public string Executable => Path.Combine(Root, "out", "Mesh.ProxyHost");

    /// <summary>How long the publish took (restore, build, the NativeAOT compile and link).</summary>
    public TimeSpan Took { get; private set; }

    /// <summary>Every distinct trim (IL2xxx) and AOT (IL3xxx) warning of the publish, as MSBuild printed it, less the project it names.</summary>
    public IReadOnlyList<string> Warnings { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var publish = await Command.DotnetAsync(
            ["publish", Repository.SourceProjectPath("Mesh.ProxyHost"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
             "-p:TreatWarningsAsErrors=false", "-o", Path.GetDirectoryName(Executable)!, "--artifacts-path", Path.Combine(Root, "artifacts"),
             "--disable-build-servers", "-nologo"],
            Repository.Root,
            timeout: PublishLimit);
        if (publish.ExitCode != 0 || !File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"The NativeAOT publish of the sidecar failed (`{publish.What}` exited {publish.ExitCode} after {publish.Took.TotalSeconds:F0} s). " +
                "NativeAOT compiles and links with clang (Debian: apt-get install clang; test.sh installs it). Its errors:\n" +
                string.Join('\n', ErrorLines(publish.Output + publish.Error)));
        }

        Took = publish.Took;
        Warnings = [.. TrimOrAotWarning().Matches(publish.Output).Select(static m => m.Groups["warning"].Value.Trim()).Distinct().Order(StringComparer.Ordinal)];
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    // The lines saying error, else the output's last lines (a crash of the compiler may say no "error").
    private static IEnumerable<string> ErrorLines(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = lines.Where(static l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
        return errors.Count > 0 ? errors : lines.TakeLast(30);
    }

    // "FILE(LINE,COL): warning IL2026: ... [PROJECT]" from the analyzers, "FILE(LINE): Trim analysis warning IL2026: ..."
    // or "ILC : AOT analysis warning IL3050: ..." from the compiler; the project in brackets is left out.
    [GeneratedRegex(@"^(?<warning>.*\bwarning IL[23][0-9]{3}\b.*?)(\s\[[^\]]*\])?\s*$", RegexOptions.Multiline)]
    private static partial Regex TrimOrAotWarning();
}
