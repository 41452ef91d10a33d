using Mesh.Endpoints;

namespace Mesh.LoadBalancing;

/// <summary>Power of two choices comparing requests in flight only (Envoy's LEAST_REQUEST).</summary>
internal sealed class LeastInFlightBalancer(Random random) : ILoadBalancer
{
    public string Name => LoadBalancerNames.LeastInFlight;

    public MeshEndpoint Pick(ReadOnlySpan<MeshEndpoint> candidates, MeshEndpoint? avoid) =>
        PowerOfTwoChoices.Pick(candidates, avoid, random, default(InFlightCost));

    private readonly struct InFlightCost : IEndpointCost
    {
        public double Of(MeshEndpoint endpoint) => endpoint.InFlight;
    }
}
