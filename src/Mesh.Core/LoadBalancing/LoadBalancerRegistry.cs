using Mesh.Internal;

namespace Mesh.LoadBalancing;

/// <summary>
/// The load balancers <c>Mesh:Services:{service}:LoadBalancer</c> may name: the built-in ones plus those registered
/// with <c>AddMeshLoadBalancer</c>.
/// </summary>
internal sealed class LoadBalancerRegistry(IEnumerable<LoadBalancerRegistration> registrations)
    : NamedRegistry<Func<ILoadBalancer>>("load balancer", BuiltIns, registrations.Select(static r => KeyValuePair.Create(r.Name, r.Create)))
{
    private static readonly KeyValuePair<string, Func<ILoadBalancer>>[] BuiltIns =
    [
        new(LoadBalancerNames.PeakEwma, static () => new PeakEwmaBalancer(Random.Shared)),
        new(LoadBalancerNames.LeastInFlight, static () => new LeastInFlightBalancer(Random.Shared)),
        new(LoadBalancerNames.RoundRobin, static () => new RoundRobinBalancer()),
    ];

    /// <summary>Creates a new balancer instance for one service.</summary>
    public ILoadBalancer Create(string name) => Get(name)();
}

/// <summary>A custom load balancer: a name configuration can refer to and a factory (called once per service).</summary>
/// <param name="Name">The name used in <c>Mesh:Services:{service}:LoadBalancer</c>.</param>
/// <param name="Create">Creates one balancer for one service.</param>
internal sealed record LoadBalancerRegistration(string Name, Func<ILoadBalancer> Create);
