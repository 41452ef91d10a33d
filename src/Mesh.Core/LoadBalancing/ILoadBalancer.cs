using Mesh.Endpoints;

namespace Mesh.LoadBalancing;

/// <summary>
/// Picks the endpoint for one attempt. One instance serves one service, so an implementation may keep
/// per-service state (a round-robin cursor); it must be thread-safe and allocation-free.
/// </summary>
public interface ILoadBalancer
{
    /// <summary>Gets the name configuration refers to, e.g. <c>PeakEwma</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Picks one of <paramref name="candidates"/> (never empty). When there is more than one candidate,
    /// <paramref name="avoid"/> (the endpoint a retry is moving away from) is not picked.
    /// </summary>
    MeshEndpoint Pick(ReadOnlySpan<MeshEndpoint> candidates, MeshEndpoint? avoid);
}
