using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Mesh.Benchmarks;

/// <summary>
/// The suite's one configuration: a short job (1 launch, 3 warm-up and 5 measured iterations) with the memory
/// diagnoser, exporting (by default) GitHub markdown, CSV and HTML. Absolute numbers on a shared 2-core machine drift; read the ratios.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(5).WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.P95);
        WithOptions(ConfigOptions.DisableLogFile);
    }
}
