using System.Collections.Concurrent;
using Mesh.Configuration;
using Mesh.Discovery;
using Mesh.FailureAccrual;
using Mesh.Internal;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.Tap;
using Mesh.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh;

/// <summary>
/// Holds one <see cref="MeshService"/> per service name, made on first use with its options and discovery. Services
/// configuration names live as long as the host; dynamic ones (names a caller chose, such as unknown hosts the sidecar
/// may forward) are evicted when idle and bounded in number (<see cref="DynamicServicesOptions"/>). When configuration
/// reloads, each service's options are rebuilt and validated: valid ones become the service's policy from the next
/// request on, while what it has learned stays; invalid ones are logged and the last good policy stays.
/// </summary>
internal sealed partial class MeshServiceRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<MeshService>> _services = new(StringComparer.OrdinalIgnoreCase);
    private readonly MetricNames _metricNames;
    private readonly List<MeshService> _static = [];
    private readonly IOptionsFactory<MeshServiceOptions> _optionsFactory;
    private readonly IOptionsMonitor<DynamicServicesOptions> _dynamicOptions;
    private readonly MeshServiceDependencies _dependencies;
    private readonly ServiceEndpointResolver _resolver;
    private readonly IOptions<ServiceDiscoveryOptions> _discoveryOptions;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ServiceCatalog? _catalog;
    private readonly IDisposable? _reloadSubscription;
    private readonly ITimer _sweep;
    // Dynamic services made or being made (a slot is taken before making, so the maximum holds while requests make
    // services at once), and of those the ones made and not yet evicted.
    private int _dynamicCount;
    private int _dynamicServices;

    /// <summary>The <c>mesh.eviction.reason</c> of a dynamic service evicted for going unused for <c>Mesh:DynamicServices:IdleTimeout</c>.</summary>
    public const string IdleEviction = "idle";

    /// <summary>
    /// The <c>mesh.eviction.reason</c> of a dynamic service evicted because another was made at
    /// <c>Mesh:DynamicServices:MaxServices</c>: it was the least recently used.
    /// </summary>
    public const string LimitEviction = "limit";

    /// <summary>The <c>mesh.service</c> of the dynamic services past <c>Mesh:DynamicServices:MaxMetricNames</c>.</summary>
    public const string OtherService = MetricNames.Other;

    public MeshServiceRegistry(
        IOptionsFactory<MeshServiceOptions> optionsFactory,
        IOptionsMonitor<DynamicServicesOptions> dynamicOptions,
        LoadBalancerRegistry balancers,
        FailureAccrualPolicyRegistry accrualPolicies,
        ServiceEndpointResolver resolver,
        MeshTelemetry telemetry,
        TimeProvider time,
        ILoggerFactory loggers,
        IOptions<ServiceDiscoveryOptions> discoveryOptions,
        MeshTap tap,
        IConfiguration? configuration = null,
        ServiceCatalog? catalog = null,
        MeshRandom? random = null)
    {
        _catalog = catalog;
        _optionsFactory = optionsFactory;
        _dynamicOptions = dynamicOptions;
        _metricNames = new MetricNames(() => dynamicOptions.CurrentValue.MaxMetricNames);
        _resolver = resolver;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Mesh.Configuration");
        _discoveryOptions = discoveryOptions;
        _dependencies = new MeshServiceDependencies(
            time,
            random is null ? static () => Random.Shared.NextDouble() : random.Next,
            telemetry,
            tap,
            balancers,
            accrualPolicies,
            loggers.CreateLogger("Mesh.FailureAccrual"),
            Get);
        telemetry.ObserveDynamicServices(() => DynamicServiceCount, () => _dynamicOptions.CurrentValue.MaxServices);

        // Both reasons' series exist from the start, at 0, so that a rate of evictions reads 0 rather than nothing.
        telemetry.RecordDynamicServiceEvictions(IdleEviction, 0);
        telemetry.RecordDynamicServiceEvictions(LimitEviction, 0);
        if (configuration is not null)
        {
            _reloadSubscription = ChangeToken.OnChange(configuration.GetReloadToken, Reconfigure);
        }

        _sweep = time.CreateTimer(static state => ((MeshServiceRegistry)state!).EvictIdle(), this, SweepPeriod, SweepPeriod);
    }

    /// <summary>Raised when a dynamic service is evicted, so what was made for it (a sidecar route) goes too.</summary>
    public event Action<MeshService>? Evicted;

    // Often enough that an idle service goes within a few seconds of its idle timeout, rarely enough to cost nothing.
    private static TimeSpan SweepPeriod => TimeSpan.FromSeconds(5);

    /// <summary>Gets the number of dynamic services that exist now: made and not evicted, at most <c>MaxServices</c>.</summary>
    public int DynamicServiceCount => Volatile.Read(ref _dynamicServices);

    /// <summary>Gets the services that exist now, outbound and inbound.</summary>
    public IEnumerable<MeshService> Services
    {
        get
        {
            foreach (var entry in _services.Values)
            {
                if (entry.IsValueCreated)
                {
                    yield return entry.Value;
                }
            }

            lock (_static)
            {
                foreach (var service in _static.ToArray())
                {
                    yield return service;
                }
            }
        }
    }

    /// <summary>Gets every service's statistics over <paramref name="window"/> (at most a minute).</summary>
    public IReadOnlyList<Stats.ServiceSnapshot> Snapshot(TimeSpan window)
    {
        window = TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(window.TotalSeconds), 1, LatencyHistogram.MaxWindow.TotalSeconds));
        return Services.OrderBy(s => s.Direction, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .Select(s => s.Recorder.Snapshot(window))
            .ToList();
    }

    /// <summary>Gets the service <paramref name="name"/>, made on first use, its endpoints from discovery.</summary>
    public MeshService Get(string name) => GetOrCreate(name, dynamic: false, endpoint: null);

    /// <summary>Creates a handler that sends requests for <paramref name="name"/> through its pipeline, outbound.</summary>
    public MeshHttpHandler CreateHandler(string name) => new(Get(name));

    /// <summary>
    /// Creates a handler for a service configuration does not name (<see cref="DynamicServicesOptions"/>: evicted when
    /// idle, bounded in number). With <paramref name="endpoint"/>, that is its one endpoint and nothing is discovered:
    /// an unknown host the sidecar forwards to is its own endpoint, resolved as it is connected to.
    /// </summary>
    public MeshHttpHandler CreateDynamicHandler(string name, Uri? endpoint = null) => new(GetOrCreate(name, dynamic: true, endpoint));

    /// <summary>
    /// Gets the service a request's host names, for a handler that serves any service (<c>AddMesh()</c>): a configured
    /// service (<see cref="ServiceCatalog"/>) or one made already by name, by host (port ignored, as the sidecar does);
    /// any other host is a dynamic service (evicted when idle, bounded in number) whose one endpoint is that host and
    /// port, named <c>host</c> for http on port 80 and <c>host:port</c> otherwise, so http and https never share one.
    /// </summary>
    public MeshService ForRequest(Uri uri)
    {
        var host = uri.Host;
        if (_services.TryGetValue(host, out var known) && (!known.IsValueCreated || !known.Value.IsDynamic))
        {
            return known.Value;
        }

        if (_catalog is not null && _catalog.IsKnown(host))
        {
            return Get(host);
        }

        var name = uri.Port == 80 && string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase)
            ? host
            : string.Concat(host, ":", uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return _services.TryGetValue(name, out var dynamic)
            ? dynamic.Value
            : GetOrCreate(name, dynamic: true, new Uri(uri.GetLeftPart(UriPartial.Authority)));
    }

    /// <summary>
    /// Creates a handler for a dynamic service whose one endpoint is <paramref name="endpoint"/> and whose metrics name
    /// it <paramref name="metricName"/> (while <c>Mesh:DynamicServices:MaxMetricNames</c> lasts), so that several
    /// services may share a name in metrics: the sidecar's intercepted calls, one service per name and destination
    /// dialled. <paramref name="direction"/> and <paramref name="configure"/> as in <see cref="CreateStaticHandler"/>.
    /// </summary>
    public MeshHttpHandler CreateDynamicHandler(string name, Uri endpoint, string metricName, string direction, Action<MeshServiceOptions>? configure = null) =>
        new(GetOrCreate(name, dynamic: true, endpoint, new DynamicShape(metricName, direction, configure)));

    /// <summary>
    /// Gets the <c>mesh.service</c> value for a name that is not a configured service: the name itself while
    /// <c>Mesh:DynamicServices:MaxMetricNames</c> lasts, <c>other</c> after (one budget with dynamic services).
    /// </summary>
    public string MetricNameFor(string name) => _metricNames.For(name);

    private MeshService GetOrCreate(string name, bool dynamic, Uri? endpoint, DynamicShape? shape = null) =>
        _services.GetOrAdd(name, static (n, state) => new(() => state.self.Create(n, state.dynamic, state.endpoint, state.shape)), (self: this, dynamic, endpoint, shape)).Value;

    /// <summary>
    /// Creates a handler for a service with one fixed endpoint and no discovery, such as the local application behind
    /// the sidecar's inbound listener. <paramref name="configure"/> adjusts its options (inbound does not retry).
    /// </summary>
    public MeshHttpHandler CreateStaticHandler(string name, string direction, Uri endpoint, Action<MeshServiceOptions> configure)
    {
        var options = _optionsFactory.Create(name);
        configure(options);
        var service = new MeshService(name, direction, options, _dependencies);
        service.Endpoints.Publish([endpoint]);
        _dependencies.Telemetry.AddEndpointSource(service);
        lock (_static)
        {
            _static.Add(service);
        }

        return new MeshHttpHandler(service);
    }

    private MeshService Create(string name, bool dynamic, Uri? endpoint, DynamicShape? shape)
    {
        if (dynamic)
        {
            Interlocked.Increment(ref _dynamicCount);
            EvictOverMaximum();
        }

        var options = _optionsFactory.Create(name);
        shape?.Configure?.Invoke(options);
        var service = new MeshService(name, shape?.Direction ?? MeshDirection.Outbound, options, _dependencies, dynamic, dynamic ? _metricNames.For(shape?.MetricName ?? name) : null)
        {
            Adjust = shape?.Configure,
        };
        _dependencies.Telemetry.AddEndpointSource(service);
        if (endpoint is not null)
        {
            service.Endpoints.Publish([endpoint]);
        }
        else
        {
            service.Discovery = new EndpointDiscovery(name, _resolver, service.Endpoints, _dependencies.Telemetry, _dependencies.Time, _discoveryOptions.Value.RefreshPeriod, _loggers.CreateLogger("Mesh.Discovery"));
            service.Discovery.Start();
        }

        if (dynamic)
        {
            Interlocked.Increment(ref _dynamicServices);
            Log.DynamicServiceCreated(_logger, name);
        }

        return service;
    }

    // Dynamic services with nothing in flight and no request for the idle timeout go.
    private void EvictIdle()
    {
        var now = _dependencies.Time.GetTimestamp();
        var idle = _dynamicOptions.CurrentValue.IdleTimeout;
        foreach (var (name, lazy) in _services)
        {
            if (lazy.IsValueCreated && lazy.Value is { IsDynamic: true, InFlight: 0 } service &&
                _dependencies.Time.GetElapsedTime(service.LastUsed, now) >= idle)
            {
                Evict(name, lazy, IdleEviction);
            }
        }
    }

    // Over the maximum: the dynamic services used least recently go, busy or not (their requests in flight finish on
    // them), until the count is back within it. Requests making services at once may pick the same victim: the one that
    // loses the race looks again.
    private void EvictOverMaximum()
    {
        var max = _dynamicOptions.CurrentValue.MaxServices;
        while (Volatile.Read(ref _dynamicCount) > max)
        {
            KeyValuePair<string, Lazy<MeshService>>? oldest = null;
            foreach (var pair in _services)
            {
                if (pair.Value.IsValueCreated && pair.Value.Value.IsDynamic &&
                    (oldest is null || pair.Value.Value.LastUsed < oldest.Value.Value.Value.LastUsed))
                {
                    oldest = pair;
                }
            }

            if (oldest is not { } victim)
            {
                return;
            }

            Evict(victim.Key, victim.Value, LimitEviction);
        }
    }

    private void Evict(string name, Lazy<MeshService> lazy, string reason)
    {
        if (!_services.TryRemove(KeyValuePair.Create(name, lazy)))
        {
            return;
        }

        var service = lazy.Value;
        Interlocked.Decrement(ref _dynamicServices);
        Interlocked.Decrement(ref _dynamicCount);
        _dependencies.Telemetry.RemoveEndpointSource(service);
        _ = service.Discovery?.DisposeAsync().AsTask();
        Evicted?.Invoke(service);
        _dependencies.Telemetry.RecordDynamicServiceEvictions(reason, 1);
        if (reason == IdleEviction)
        {
            Log.IdleDynamicServiceEvicted(_logger, name, _dynamicOptions.CurrentValue.IdleTimeout);
        }
        else
        {
            Log.DynamicServiceEvictedAtLimit(_logger, name, _dynamicOptions.CurrentValue.MaxServices);
        }
    }

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
                var options = _optionsFactory.Create(name);
                lazy.Value.Adjust?.Invoke(options);
                lazy.Value.Apply(options);
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
        await _sweep.DisposeAsync().ConfigureAwait(false);
        foreach (var entry in _services.Values)
        {
            if (entry.IsValueCreated && entry.Value.Discovery is { } discovery)
            {
                await discovery.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // What a dynamic service made for the sidecar's intercepted traffic has of its own.
    private sealed record DynamicShape(string MetricName, string Direction, Action<MeshServiceOptions>? Configure);

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Error, "Service '{Service}': the reloaded configuration is invalid and was not applied; the last good policy stays. {Errors}")]
        public static partial void ReloadRejected(ILogger logger, string service, string errors);

        [LoggerMessage(21, LogLevel.Debug, "Dynamic service '{Service}' created.")]
        public static partial void DynamicServiceCreated(ILogger logger, string service);

        [LoggerMessage(22, LogLevel.Debug, "Dynamic service '{Service}' evicted (idle): unused for Mesh:DynamicServices:IdleTimeout ({IdleTimeout}).")]
        public static partial void IdleDynamicServiceEvicted(ILogger logger, string service, TimeSpan idleTimeout);

        [LoggerMessage(23, LogLevel.Debug, "Dynamic service '{Service}' evicted (limit): the least recently used when another was made at Mesh:DynamicServices:MaxServices ({MaxServices}).")]
        public static partial void DynamicServiceEvictedAtLimit(ILogger logger, string service, int maxServices);
    }
}
