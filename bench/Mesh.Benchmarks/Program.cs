using BenchmarkDotNet.Running;
using Mesh.Benchmarks;
using Mesh.Benchmarks.Support;

// `alloc [target] [requests]` prints a client's allocations per request by type (see AllocationProfile).
if (args is ["alloc", ..])
{
    return await AllocationProfile.RunAsync(args);
}

// `loop target seconds` sends one client's requests in a loop for a profiler to attach to (see bench/README.md).
if (args is ["loop", ..])
{
    return await RequestLoop.RunAsync(args);
}

// Every benchmark runs with the short job in BenchConfig (one launch, few iterations) so the suite fits in minutes
// on a 2-core machine. `dotnet run -c Release -- --filter '*'` runs everything; see bench/README.md.
BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, new BenchConfig());
return 0;
