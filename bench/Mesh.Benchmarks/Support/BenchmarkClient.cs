using System.Globalization;

namespace Mesh.Benchmarks.Support;

/// <summary>
/// One of <see cref="ClientHandlerBenchmark"/>'s clients, set up with metrics on and chosen by the name the <c>alloc</c>
/// and <c>loop</c> modes take on the command line (Mesh when the name is unknown); disposing it cleans the benchmark up.
/// </summary>
internal sealed class BenchmarkClient : IDisposable
{
    private readonly ClientHandlerBenchmark _bench;

    private BenchmarkClient(ClientHandlerBenchmark bench, string target)
    {
        _bench = bench;
        Send = target switch
        {
            "Bare" => bench.Bare,
            "Factory" => bench.Factory,
            "Polly" => bench.Polly,
            "FactoryPolly" => bench.FactoryPolly,
            "StandardResilience" => bench.StandardResilience,
            "StandardResilienceManyPaths" => bench.StandardResilienceManyPaths,
            "MeshManyPaths" => bench.MeshManyPaths,
            "MeshByHost" => bench.MeshByHost,
            _ => bench.Mesh,
        };
    }

    /// <summary>Gets the client's one request.</summary>
    public Func<Task<HttpResponseMessage>> Send { get; }

    /// <summary>Reads <c>mode [target] [count]</c>: the client's name (Mesh if none) and a count (<paramref name="defaultCount"/> if none).</summary>
    public static (string Target, int Count) Arguments(string[] args, int defaultCount) =>
        (args.Length > 1 ? args[1] : "Mesh", args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : defaultCount);

    /// <summary>Sets up the benchmark's clients (on <paramref name="clock"/>, if given) and picks <paramref name="target"/>.</summary>
    public static BenchmarkClient Open(string target, TimeProvider? clock = null)
    {
        var bench = new ClientHandlerBenchmark { Metrics = true, Clock = clock };
        bench.Setup();
        return new BenchmarkClient(bench, target);
    }

    public void Dispose() => _bench.Cleanup();
}
