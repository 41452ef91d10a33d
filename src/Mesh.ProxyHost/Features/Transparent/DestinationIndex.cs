using System.Collections.Frozen;
using System.Net;
using Mesh.Configuration;
using Mesh.Endpoints;
using Mesh.ProxyHost.Configuration;
using Microsoft.Extensions.Primitives;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// Which configured service an intercepted connection's original destination belongs to: one of its
/// <c>Mesh:Services:{s}:Addresses</c> (a virtual IP in front of it), or one of its endpoints (given by IP). Read per
/// intercepted connection from a frozen map, rebuilt when configuration reloads or a service's endpoints change (seen
/// by comparing each service's current endpoint set with the one the map was built from: a reference per service).
/// </summary>
internal sealed class DestinationIndex : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ServiceCatalog _catalog;
    private readonly MeshServiceRegistry _registry;
    private readonly IDisposable _subscription;
    private readonly object _rebuildLock = new();
    private volatile Map? _map;

    public DestinationIndex(IConfiguration configuration, ServiceCatalog catalog, MeshServiceRegistry registry)
    {
        _configuration = configuration;
        _catalog = catalog;
        _registry = registry;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => _map = null);
    }

    /// <summary>
    /// Gets the configured service <paramref name="destination"/> belongs to, or null. The first connections after
    /// start wait for the services' first discovery: until then their endpoints are unknown, and a connection taken for
    /// an implicit service's would stay so for its whole life.
    /// </summary>
    public async ValueTask<string?> ServiceOfAsync(IPEndPoint destination)
    {
        var map = _map;
        if (map is null || map.IsStale())
        {
            map = Rebuild();
        }

        if (!map.IsResolved)
        {
            foreach (var (service, _) in map.Seen)
            {
                await service.EnsureResolvedAsync(CancellationToken.None).ConfigureAwait(false);
            }

            map = Rebuild();
        }

        return map.Services.GetValueOrDefault(destination);
    }

    private Map Rebuild()
    {
        lock (_rebuildLock)
        {
            if (_map is { } current && !current.IsStale())
            {
                return current;
            }

            var services = new Dictionary<IPEndPoint, string>();
            var seen = new List<(MeshService, EndpointSet)>();
            foreach (var name in _catalog.Names)
            {
                var service = _registry.Get(name);
                var set = service.Endpoints.Current;
                seen.Add((service, set));
                foreach (var endpoint in set.All)
                {
                    if (IPAddress.TryParse(endpoint.Address.Host, out var ip))
                    {
                        services.TryAdd(new IPEndPoint(ip, endpoint.Address.Port), name);
                    }
                }
            }

            // Addresses win over endpoints: they are said outright to be the service's.
            foreach (var section in _configuration.GetSection(MeshServiceOptions.SectionName).GetChildren())
            {
                foreach (var address in section.GetSection(nameof(MeshServiceOptions.Addresses)).GetChildren())
                {
                    if (IPEndPoint.TryParse(address.Value ?? "", out var endpoint) && endpoint.Port != 0)
                    {
                        services[endpoint] = section.Key;
                    }
                }
            }

            var map = new Map(services.ToFrozenDictionary(), [.. seen]);
            _map = map;
            return map;
        }
    }

    public void Dispose() => _subscription.Dispose();

    private sealed record Map(FrozenDictionary<IPEndPoint, string> Services, (MeshService Service, EndpointSet Set)[] Seen)
    {
        public bool IsResolved { get; } = Array.TrueForAll(Seen, static s => s.Service.Endpoints.FirstResolution.IsCompleted);

        public bool IsStale()
        {
            foreach (var (service, set) in Seen)
            {
                if (!ReferenceEquals(service.Endpoints.Current, set))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
