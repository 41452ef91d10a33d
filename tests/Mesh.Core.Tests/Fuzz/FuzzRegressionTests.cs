using Mesh.Fuzz.Targets;
using Mesh.Timeouts;

namespace Mesh.Core.Tests.Fuzz;

/// <summary>
/// Replays the fuzz corpus (tests/Mesh.Core.Tests/Fuzz/corpus/&lt;target&gt;/: the seeds, and every crash
/// tests/fuzz/run.sh has found, as crash-&lt;sha1&gt;) through the same target functions AFL++ drives, so a parser
/// bug once found stays fixed. Each file must run without a finding.
/// </summary>
public class FuzzRegressionTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus");

    public static TheoryData<string, string> CorpusFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FuzzTargets.Names)
        {
            var folder = Path.Combine(Corpus, target);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                data.Add(target, Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void CorpusFile_RunsWithoutFinding(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(Corpus, target, file));

        FuzzTargets.Run(target, input);
    }

    [Fact]
    public void EveryTarget_HasSeeds()
    {
        foreach (var target in FuzzTargets.Names)
        {
            var folder = Path.Combine(Corpus, target);
            Assert.True(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), $"no corpus for fuzz target '{target}' in {folder}");
        }
    }

    // Found by the deadline target's round-trip check (seed-read-grpc-max): a budget over int.MaxValue ms was
    // formatted as a mesh-timeout-ms value that TryParseMeshTimeout rejects, so the next hop lost the deadline.
    [Fact]
    public void FormatMeshTimeout_HugeBudget_ParsesBack()
    {
        var huge = TimeSpan.FromDays(36_500);

        Assert.True(DeadlineHeaders.TryParseMeshTimeout(DeadlineHeaders.FormatMeshTimeout(huge), out var parsed));
        Assert.Equal(TimeSpan.FromMilliseconds(int.MaxValue), parsed);
    }
}
