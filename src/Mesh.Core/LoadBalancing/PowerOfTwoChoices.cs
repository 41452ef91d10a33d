using Mesh.Endpoints;

namespace Mesh.LoadBalancing;

/// <summary>
/// The power-of-two-choices rule shared by the P2C balancers: draw two distinct endpoints at random and
/// keep the cheaper. It needs no global view and no locks, and avoids the herd behaviour of "always the
/// least loaded" when many clients see the same stale costs.
/// </summary>
internal static class PowerOfTwoChoices
{
    public static MeshEndpoint Pick<TCost>(ReadOnlySpan<MeshEndpoint> candidates, MeshEndpoint? avoid, Random random, TCost cost)
        where TCost : struct, IEndpointCost
    {
        if (candidates.Length == 1)
        {
            return candidates[0];
        }

        var i = random.Next(candidates.Length);
        var j = random.Next(candidates.Length - 1);
        if (j >= i)
        {
            j++;
        }

        var a = candidates[i];
        var b = candidates[j];
        if (ReferenceEquals(a, avoid))
        {
            return b;
        }

        if (ReferenceEquals(b, avoid))
        {
            return a;
        }

        return cost.Of(b) < cost.Of(a) ? b : a;
    }
}

/// <summary>The cost a P2C balancer compares; a struct so the comparison is inlined.</summary>
internal interface IEndpointCost
{
    double Of(MeshEndpoint endpoint);
}
