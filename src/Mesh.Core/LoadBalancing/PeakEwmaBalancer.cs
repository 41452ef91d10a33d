using Mesh.Endpoints;

namespace Mesh.LoadBalancing;

/// <summary>
/// The default balancer: power of two choices comparing <c>peak-EWMA round trip × (in flight + 1)</c>,
/// the cost Finagle and Linkerd use. Slow endpoints, overloaded endpoints and endpoints that fail fast
/// (a failure counts as a slow sample) all lose the comparison.
/// </summary>
internal sealed class PeakEwmaBalancer(Random random) : ILoadBalancer
{
    public string Name => LoadBalancerNames.PeakEwma;

    public MeshEndpoint Pick(ReadOnlySpan<MeshEndpoint> candidates, MeshEndpoint? avoid) =>
        PowerOfTwoChoices.Pick(candidates, avoid, random, default(LatencyCost));

    private readonly struct LatencyCost : IEndpointCost
    {
        public double Of(MeshEndpoint endpoint) => endpoint.Latency.Cost(endpoint.InFlight);
    }
}
