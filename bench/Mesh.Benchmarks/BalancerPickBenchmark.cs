using BenchmarkDotNet.Attributes;
using Mesh.Configuration;
using Mesh.Endpoints;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;

namespace Mesh.Benchmarks;

/// <summary>Cost of one pick by each balancer over 3, 100 and 1,000 endpoints (memory diagnoser from <see cref="BenchConfig"/>).</summary>
public class BalancerPickBenchmark
{
    private MeshEndpoint[] _endpoints = [];
    private ILoadBalancer _peakEwma = null!;
    private ILoadBalancer _leastInFlight = null!;
    private ILoadBalancer _roundRobin = null!;

    [Params(3, 100, 1000)]
    public int Endpoints { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _endpoints = Enumerable.Range(0, Endpoints)
            .Select(i => new MeshEndpoint(
                new Uri($"http://10.0.{i / 250}.{i % 250}:8080"),
                new PeakEwma(TimeProvider.System, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(random.Next(1, 50)), TimeSpan.FromMilliseconds(100)),
                new EndpointHealth(new ConsecutiveFailuresOrSuccessRatePolicy(new FailureAccrualOptions(), TimeProvider.System))))
            .ToArray();
        _peakEwma = new PeakEwmaBalancer(new Random(1));
        _leastInFlight = new LeastInFlightBalancer(new Random(2));
        _roundRobin = new RoundRobinBalancer();
    }

    [Benchmark(Baseline = true)]
    public MeshEndpoint PeakEwma() => _peakEwma.Pick(_endpoints, null);

    [Benchmark]
    public MeshEndpoint LeastInFlight() => _leastInFlight.Pick(_endpoints, null);

    [Benchmark]
    public MeshEndpoint RoundRobin() => _roundRobin.Pick(_endpoints, null);
}
