using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Endpoints;

namespace Mesh.Telemetry;

/// <summary>
/// Mesh's one <see cref="Meter"/> and one <see cref="ActivitySource"/>, both named <c>Mesh</c>, and the
/// instruments behind the golden metrics. Created through <see cref="IMeterFactory"/> so each host
/// (and each test) has its own meter.
/// </summary>
internal sealed class MeshTelemetry : IDisposable
{
    /// <summary>The activity source for logical requests and their attempts.</summary>
    public static readonly ActivitySource ActivitySource = new(MeshInstruments.Name);

    // Buckets for request latency on a service mesh: 0.5 ms to 30 s, about 2.5× apart.
    private static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _requestBytes;
    private readonly Counter<long> _responseBytes;
    private readonly Counter<long> _discoveryErrors;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _budgetExhausted;
    private readonly Counter<long> _ejections;
    private readonly Counter<long> _backpressure;
    private readonly Counter<long> _dynamicServiceEvictions;
    private readonly List<IEndpointSource> _endpointSources = [];

    /// <summary>Creates the instruments on a meter made by <paramref name="meterFactory"/>.</summary>
    public MeshTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeshInstruments.Name);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets };
        _requests = _meter.CreateCounter<long>(MeshInstruments.Requests, "{request}", "Logical requests as the caller saw them, after retries.");
        _requestDuration = _meter.CreateHistogram(MeshInstruments.RequestDuration, "s", "Duration of logical requests, after retries.", tags: null, advice);
        _attempts = _meter.CreateCounter<long>(MeshInstruments.Attempts, "{attempt}", "Attempts: one per try on one endpoint.");
        _attemptDuration = _meter.CreateHistogram(MeshInstruments.AttemptDuration, "s", "Duration of attempts on one endpoint.", tags: null, advice);
        _requestBytes = _meter.CreateCounter<long>(MeshInstruments.RequestBytes, "By", "Request body bytes the callers sent, per logical request (an upgraded connection: all it carried from the caller).");
        _responseBytes = _meter.CreateCounter<long>(MeshInstruments.ResponseBytes, "By", "Response body bytes the callers received (an upgraded connection: all it carried to the caller).");
        _discoveryErrors = _meter.CreateCounter<long>(MeshInstruments.DiscoveryErrors, "{refresh}", "Discovery refreshes that failed or returned no endpoints; the last good endpoints were kept.");
        _retries = _meter.CreateCounter<long>(MeshInstruments.Retries, "{retry}", "Retries made, by reason.");
        _budgetExhausted = _meter.CreateCounter<long>(MeshInstruments.RetryBudgetExhausted, "{retry}", "Retries refused because the retry budget was empty.");
        _ejections = _meter.CreateCounter<long>(MeshInstruments.Ejections, "{ejection}", "Endpoints ejected by failure accrual, by reason.");
        _backpressure = _meter.CreateCounter<long>(MeshInstruments.Backpressure, "{response}", "Answers by which an endpoint asked for less traffic (429, or 503 with Retry-After); it was balanced around until the time it named.");
        _dynamicServiceEvictions = _meter.CreateCounter<long>(MeshInstruments.DynamicServiceEvictions, "{service}", "Dynamic services evicted, by reason: idle (past Mesh:DynamicServices:IdleTimeout) or limit (the least recently used, when one more was made at MaxServices).");
        _meter.CreateObservableGauge(MeshInstruments.Endpoints, ObserveEndpoints, "{endpoint}", "Endpoints per service and state.");
    }

    internal void RecordRequest(in RequestTags tags, TimeSpan duration)
    {
        if (!_requests.Enabled && !_requestDuration.Enabled)
        {
            return;
        }

        var list = tags.ToTagList();
        _requests.Add(1, in list);
        _requestDuration.Record(duration.TotalSeconds, in list);
    }

    internal void RecordAttempt(in RequestTags tags, string endpoint, TimeSpan duration)
    {
        if (!_attempts.Enabled && !_attemptDuration.Enabled)
        {
            return;
        }

        var list = tags.ToTagList();
        list.Add(MeshInstruments.EndpointTag, endpoint);
        _attempts.Add(1, in list);
        _attemptDuration.Record(duration.TotalSeconds, in list);
    }

    /// <summary>Gets whether anyone reads the byte counters: only then are response bodies wrapped to count them.</summary>
    internal bool CountsBytes => _requestBytes.Enabled || _responseBytes.Enabled;

    internal void RecordBytes(string direction, string service, ExchangeBytes bytes)
    {
        if (bytes.Request > 0)
        {
            _requestBytes.Add(bytes.Request, new KeyValuePair<string, object?>(MeshInstruments.DirectionTag, direction), new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, service));
        }

        if (bytes.Response > 0)
        {
            _responseBytes.Add(bytes.Response, new KeyValuePair<string, object?>(MeshInstruments.DirectionTag, direction), new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, service));
        }
    }

    internal void RecordRetry(string service, string reason, string? route = null)
    {
        var serviceTag = new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, service);
        var reasonTag = new KeyValuePair<string, object?>(MeshInstruments.RetryReasonTag, reason);
        if (route is null)
        {
            _retries.Add(1, serviceTag, reasonTag);
        }
        else
        {
            _retries.Add(1, serviceTag, reasonTag, new KeyValuePair<string, object?>(MeshInstruments.RouteTag, route));
        }
    }

    internal void RecordBudgetExhausted(string service) =>
        _budgetExhausted.Add(1, new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, service));

    internal void RecordEjection(string service, string endpoint, string reason) =>
        _ejections.Add(
            1,
            new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, service),
            new KeyValuePair<string, object?>(MeshInstruments.EndpointTag, endpoint),
            new KeyValuePair<string, object?>(MeshInstruments.EjectionReasonTag, reason));

    internal void RecordBackpressure(string service, string endpoint, int status) =>
        _backpressure.Add(
            1,
            new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, service),
            new KeyValuePair<string, object?>(MeshInstruments.EndpointTag, endpoint),
            new KeyValuePair<string, object?>(MeshInstruments.StatusCodeTag, TagValues.StatusCode(status)));

    internal void RecordDiscoveryError(string service, string reason) =>
        _discoveryErrors.Add(1, new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, service), new KeyValuePair<string, object?>(MeshInstruments.DiscoveryReasonTag, reason));

    /// <summary>
    /// Reports the dynamic services held now (<paramref name="count"/>) and the most that may be
    /// (<paramref name="limit"/>), both read at each collection: how close the host is to evicting busy services.
    /// </summary>
    internal void ObserveDynamicServices(Func<int> count, Func<int> limit)
    {
        _meter.CreateObservableGauge(MeshInstruments.DynamicServices, count, "{service}", "Dynamic services held now (made for names configuration does not list).");
        _meter.CreateObservableGauge(MeshInstruments.DynamicServiceLimit, limit, "{service}", "The most dynamic services held at once (Mesh:DynamicServices:MaxServices); one more evicts the least recently used.");
    }

    /// <summary>Counts <paramref name="count"/> dynamic services evicted for <paramref name="reason"/> (<c>idle</c> or <c>limit</c>).</summary>
    internal void RecordDynamicServiceEvictions(string reason, long count) =>
        _dynamicServiceEvictions.Add(count, new KeyValuePair<string, object?>(MeshInstruments.EvictionReasonTag, reason));

    /// <summary>Adds a service whose endpoints the <c>mesh.endpoints</c> gauge reports.</summary>
    internal void AddEndpointSource(IEndpointSource source)
    {
        lock (_endpointSources)
        {
            _endpointSources.Add(source);
        }
    }

    /// <summary>Removes a service that is gone (an evicted dynamic one): its <c>mesh.endpoints</c> series go with it.</summary>
    internal void RemoveEndpointSource(IEndpointSource source)
    {
        lock (_endpointSources)
        {
            _endpointSources.Remove(source);
        }
    }

    // Per service, the endpoints in each state: ready, loaded (ready, but asking for less traffic), ejected, probing.
    private static readonly string[] StateTags =
        [EndpointState.Ready.ToTagValue(), EndpointStateExtensions.Loaded, EndpointState.Ejected.ToTagValue(), EndpointState.Probing.ToTagValue()];

    private IEnumerable<Measurement<int>> ObserveEndpoints()
    {
        List<Measurement<int>> measurements = [];
        Span<int> counts = stackalloc int[StateTags.Length];
        lock (_endpointSources)
        {
            foreach (var source in _endpointSources)
            {
                counts.Clear();
                var now = source.Now;
                foreach (var endpoint in source.Endpoints.All)
                {
                    counts[Array.IndexOf(StateTags, endpoint.StateTagAt(now))]++;
                }

                for (var state = 0; state < StateTags.Length; state++)
                {
                    measurements.Add(new(
                        counts[state],
                        new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, source.ServiceName),
                        new KeyValuePair<string, object?>(MeshInstruments.EndpointStateTag, StateTags[state])));
                }
            }
        }

        return measurements;
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
