namespace Mesh.LoadBalancing;

/// <summary>
/// The load balancers configuration may name: the built-in ones plus those registered with
/// <c>AddMeshLoadBalancer</c>. Names compare case-insensitively.
/// </summary>
public sealed class LoadBalancerRegistry
{
    private readonly Dictionary<string, Func<ILoadBalancer>> _factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [LoadBalancerNames.PeakEwma] = static () => new PeakEwmaBalancer(Random.Shared),
        [LoadBalancerNames.LeastInFlight] = static () => new LeastInFlightBalancer(Random.Shared),
        [LoadBalancerNames.RoundRobin] = static () => new RoundRobinBalancer(),
    };

    /// <summary>Creates a registry of the built-in balancers and <paramref name="registrations"/>.</summary>
    public LoadBalancerRegistry(IEnumerable<LoadBalancerRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var registration in registrations)
        {
            _factories[registration.Name] = registration.Create;
        }
    }

    /// <summary>Gets the names configuration may use.</summary>
    public IEnumerable<string> Names => _factories.Keys;

    /// <summary>Whether a balancer of this name exists.</summary>
    public bool Contains(string? name) => name is not null && _factories.ContainsKey(name);

    /// <summary>Creates a new balancer instance for one service.</summary>
    public ILoadBalancer Create(string name) =>
        _factories.TryGetValue(name, out var create)
            ? create()
            : throw new ArgumentException($"No load balancer named '{name}'.", nameof(name));
}

/// <summary>A custom load balancer: a name configuration can refer to and a factory (called once per service).</summary>
/// <param name="Name">The name used in <c>Mesh:Services:{service}:LoadBalancer</c>.</param>
/// <param name="Create">Creates one balancer for one service.</param>
public sealed record LoadBalancerRegistration(string Name, Func<ILoadBalancer> Create);
