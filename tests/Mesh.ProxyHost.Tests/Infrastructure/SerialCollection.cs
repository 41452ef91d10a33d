namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// Tests that measure the whole process (memory, process-wide counters) run in this collection: after the parallel
/// ones and one at a time, so nothing else allocates or buffers while they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial (process-wide measurements)";
}
