using System.Collections.Concurrent;
using Mesh.Configuration;
using Mesh.Discovery;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh;

/// <summary>
/// Holds one <see cref="MeshService"/> per service name for the life of the host, created on first use
/// with its options, balancer and discovery.
/// </summary>
internal sealed class MeshServiceRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<(MeshService Service, EndpointDiscovery Discovery)>> _services = new(StringComparer.OrdinalIgnoreCase);
    private readonly IOptionsMonitor<MeshServiceOptions> _options;
    private readonly LoadBalancerRegistry _balancers;
    private readonly ServiceEndpointResolver _resolver;
    private readonly MeshTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IOptions<ServiceDiscoveryOptions> _discoveryOptions;

    public MeshServiceRegistry(
        IOptionsMonitor<MeshServiceOptions> options,
        LoadBalancerRegistry balancers,
        ServiceEndpointResolver resolver,
        MeshTelemetry telemetry,
        TimeProvider time,
        ILoggerFactory loggers,
        IOptions<ServiceDiscoveryOptions> discoveryOptions)
    {
        _options = options;
        _balancers = balancers;
        _resolver = resolver;
        _telemetry = telemetry;
        _time = time;
        _loggers = loggers;
        _discoveryOptions = discoveryOptions;
    }

    /// <summary>Gets the services created so far.</summary>
    public IEnumerable<MeshService> Services
    {
        get
        {
            foreach (var entry in _services.Values)
            {
                if (entry.IsValueCreated)
                {
                    yield return entry.Value.Service;
                }
            }
        }
    }

    public MeshService Get(string name) =>
        _services.GetOrAdd(name, static (n, self) => new(() => self.Create(n)), this).Value.Service;

    /// <summary>Creates a handler that sends requests for <paramref name="name"/> through its pipeline.</summary>
    public MeshHttpHandler CreateHandler(string name, string direction = MeshDirection.Outbound) => new(Get(name), direction);

    private (MeshService, EndpointDiscovery) Create(string name)
    {
        var options = _options.Get(name);
        var service = new MeshService(name, options, _balancers.Create(options.LoadBalancer), _telemetry, _time, static () => Random.Shared.NextDouble(), _loggers.CreateLogger("Mesh.FailureAccrual"));
        _telemetry.AddEndpointSource(service);
        var discovery = new EndpointDiscovery(name, _resolver, service.Endpoints, _telemetry, _time, _discoveryOptions.Value.RefreshPeriod, _loggers.CreateLogger("Mesh.Discovery"));
        discovery.Start();
        return (service, discovery);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _services.Values)
        {
            if (entry.IsValueCreated)
            {
                await entry.Value.Discovery.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
