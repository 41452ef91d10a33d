using Mesh.Endpoints;

namespace Mesh.LoadBalancing;

/// <summary>Each endpoint in turn; blind to latency and load.</summary>
internal sealed class RoundRobinBalancer : ILoadBalancer
{
    private uint _cursor = uint.MaxValue;

    public string Name => LoadBalancerNames.RoundRobin;

    public MeshEndpoint Pick(ReadOnlySpan<MeshEndpoint> candidates, MeshEndpoint? avoid)
    {
        var next = Interlocked.Increment(ref _cursor);
        var picked = candidates[(int)(next % (uint)candidates.Length)];
        if (candidates.Length > 1 && ReferenceEquals(picked, avoid))
        {
            picked = candidates[(int)((next + 1) % (uint)candidates.Length)];
        }

        return picked;
    }
}
