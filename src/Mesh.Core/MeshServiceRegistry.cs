using System.Collections.Concurrent;
using Mesh.Configuration;
using Mesh.Discovery;
using Mesh.Endpoints;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.Stats;
using Mesh.Tap;
using Mesh.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh;

/// <summary>
/// Holds one service entry per service name for the life of the host, created on first use with its options,
/// balancer and discovery. When configuration reloads, each service's options are rebuilt and validated: valid
/// ones replace the service's policy from the next request on; invalid ones are logged and the last good stay.
/// </summary>
internal sealed partial class MeshServiceRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<MeshServiceEntry>> _services = new(StringComparer.OrdinalIgnoreCase);
    private readonly IOptionsFactory<MeshServiceOptions> _optionsFactory;
    private readonly LoadBalancerRegistry _balancers;
    private readonly FailureAccrualPolicyRegistry _accrualPolicies;
    private readonly ServiceEndpointResolver _resolver;
    private readonly MeshTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IOptions<ServiceDiscoveryOptions> _discoveryOptions;
    private readonly IDisposable? _reloadSubscription;
    private readonly MeshTap _tap;
    private readonly List<MeshServiceEntry> _static = [];

    public MeshServiceRegistry(
        IOptionsFactory<MeshServiceOptions> optionsFactory,
        LoadBalancerRegistry balancers,
        FailureAccrualPolicyRegistry accrualPolicies,
        ServiceEndpointResolver resolver,
        MeshTelemetry telemetry,
        TimeProvider time,
        ILoggerFactory loggers,
        IOptions<ServiceDiscoveryOptions> discoveryOptions,
        MeshTap tap,
        IConfiguration? configuration = null)
    {
        _tap = tap;
        _optionsFactory = optionsFactory;
        _balancers = balancers;
        _accrualPolicies = accrualPolicies;
        _resolver = resolver;
        _telemetry = telemetry;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Mesh.Configuration");
        _discoveryOptions = discoveryOptions;
        if (configuration is not null)
        {
            _reloadSubscription = ChangeToken.OnChange(configuration.GetReloadToken, Reconfigure);
        }
    }

    /// <summary>Gets the services created so far, outbound and inbound.</summary>
    public IEnumerable<MeshService> Services
    {
        get
        {
            foreach (var entry in _services.Values)
            {
                if (entry.IsValueCreated)
                {
                    yield return entry.Value.Current;
                }
            }

            lock (_static)
            {
                foreach (var entry in _static.ToArray())
                {
                    yield return entry.Current;
                }
            }
        }
    }

    /// <summary>Gets every service's statistics over <paramref name="window"/> (at most a minute).</summary>
    public IReadOnlyList<ServiceSnapshot> Snapshot(TimeSpan window)
    {
        window = TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(window.TotalSeconds), 1, LatencyHistogram.MaxWindow.TotalSeconds));
        return Services.OrderBy(s => s.Direction, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .Select(s => s.Snapshot(window))
            .ToList();
    }

    public MeshService Get(string name) => GetEntry(name).Current;

    /// <summary>Creates a handler that sends requests for <paramref name="name"/> through its pipeline, outbound.</summary>
    public MeshHttpHandler CreateHandler(string name) => new(GetEntry(name));

    /// <summary>
    /// Creates a handler for a service with one fixed endpoint and no discovery, such as the local application behind
    /// the sidecar's inbound listener. <paramref name="configure"/> adjusts its options (inbound does not retry).
    /// </summary>
    public MeshHttpHandler CreateStaticHandler(string name, string direction, Uri endpoint, Action<MeshServiceOptions> configure)
    {
        var options = _optionsFactory.Create(name);
        configure(options);
        var endpoints = MeshService.CreateEndpoints(options, _accrualPolicies, _time);
        endpoints.Publish([endpoint]);
        var service = CreateService(name, direction, options, endpoints, new ServiceStats(_time));
        _telemetry.AddEndpointSource(service);
        var entry = new MeshServiceEntry(service, endpoints, discovery: null);
        lock (_static)
        {
            _static.Add(entry);
        }

        return new MeshHttpHandler(entry);
    }

    private MeshServiceEntry GetEntry(string name) =>
        _services.GetOrAdd(name, static (n, self) => new(() => self.Create(n)), this).Value;

    private MeshServiceEntry Create(string name)
    {
        var options = _optionsFactory.Create(name);
        var endpoints = MeshService.CreateEndpoints(options, _accrualPolicies, _time);
        var service = CreateService(name, MeshDirection.Outbound, options, endpoints, new ServiceStats(_time));
        var entry = new MeshServiceEntry(service, endpoints, new EndpointDiscovery(name, _resolver, endpoints, _telemetry, _time, _discoveryOptions.Value.RefreshPeriod, _loggers.CreateLogger("Mesh.Discovery")));
        _telemetry.AddEndpointSource(new EntrySource(entry));
        entry.Discovery!.Start();
        return entry;
    }

    private MeshService CreateService(string name, string direction, MeshServiceOptions options, ServiceEndpoints endpoints, ServiceStats stats) =>
        new(name, direction, options, endpoints, stats, _tap, _balancers.Create(options.LoadBalancer), _telemetry, _time, static () => Random.Shared.NextDouble(), _loggers.CreateLogger("Mesh.FailureAccrual"));

    private void Reconfigure()
    {
        foreach (var (name, lazy) in _services)
        {
            if (!lazy.IsValueCreated)
            {
                continue;
            }

            try
            {
                var entry = lazy.Value;
                var options = _optionsFactory.Create(name);
                var service = CreateService(name, MeshDirection.Outbound, options, entry.Endpoints, entry.Current.Stats);
                MeshService.ReconfigureEndpoints(entry.Endpoints, options, _accrualPolicies, _time);
                entry.Replace(service);
            }
            catch (OptionsValidationException ex)
            {
                Log.ReloadRejected(_logger, name, ex.Message);
            }
            catch (InvalidOperationException ex)
            {
                Log.ReloadRejected(_logger, name, ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reloadSubscription?.Dispose();
        foreach (var entry in _services.Values)
        {
            if (entry.IsValueCreated && entry.Value.Discovery is { } discovery)
            {
                await discovery.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reports the endpoints of whichever service instance is current.</summary>
    private sealed class EntrySource(MeshServiceEntry entry) : IEndpointSource
    {
        public string ServiceName => entry.Current.Name;

        public EndpointSet Endpoints => entry.Endpoints.Current;
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Error, "Service '{Service}': the reloaded configuration is invalid and was not applied; the last good policy stays. {Errors}")]
        public static partial void ReloadRejected(ILogger logger, string service, string errors);
    }
}
