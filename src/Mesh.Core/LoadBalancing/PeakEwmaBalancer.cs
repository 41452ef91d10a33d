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

    // Both candidates' estimates are decayed to one read of the clock they share (the service's).
    public MeshEndpoint Pick(ReadOnlySpan<MeshEndpoint> candidates, MeshEndpoint? avoid) =>
        candidates.Length == 1 ? candidates[0] : PowerOfTwoChoices.Pick(candidates, avoid, random, new LatencyCost(candidates[0].Latency.Timestamp()));

    private readonly struct LatencyCost(long now) : IEndpointCost
    {
        public double Of(MeshEndpoint endpoint) => endpoint.Latency.Cost(endpoint.InFlight, now);
    }
}
