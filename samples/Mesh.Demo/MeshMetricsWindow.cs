using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Telemetry;

namespace Mesh.Demo;

/// <summary>
/// Listens to Mesh's own meter, as any metrics exporter would, and turns its duration histograms, its retry and
/// ejection counters and its <c>mesh.endpoints</c> gauge into windows: <see cref="TakeWindow"/> returns everything
/// measured since the previous call and starts a new window; <see cref="TakeTotals"/> returns the whole run.
/// Two Mesh runtimes record here, the in-process client's and the sidecar's: their measurements add up (both call the
/// same backends), except for the state each runtime keeps of the endpoints, which is told apart by the meter's scope.
/// </summary>
internal sealed class MeshMetricsWindow : IDisposable
{
    private const string ClientName = "client";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LatencyBucket> _totals = [];
    private readonly LatencyBucket _requestTotals = new();
    private readonly long _runStarted = Stopwatch.GetTimestamp();
    private readonly ResilienceCounters _resilience = new();
    private readonly EndpointStateGauge _endpointStates = new();
    private Dictionary<string, LatencyBucket> _attempts = [];
    private LatencyBucket _requests = new();
    private long _windowStarted = Stopwatch.GetTimestamp();

    public MeshMetricsWindow()
    {
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) =>
            ((MeshMetricsWindow)state!).Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) =>
            ((MeshMetricsWindow)state!).Count(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, state) =>
            ((MeshMetricsWindow)state!).Observe(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Gets or sets the scope of the sidecar's meters (<see cref="DemoSidecar.MeterScope"/>), or null when there is none.</summary>
    public object? SidecarMeterScope { get; set; }

    /// <summary>Returns the window since the last call and starts a new one.</summary>
    public MetricsSnapshot TakeWindow()
    {
        var (endpointStates, sidecarStates) = ObserveEndpointStates();
        var resilience = _resilience.TakeWindow();
        Dictionary<string, LatencyBucket> attempts;
        LatencyBucket requests;
        long started;
        lock (_gate)
        {
            (attempts, _attempts) = (_attempts, []);
            (requests, _requests) = (_requests, new());
            started = _windowStarted;
            _windowStarted = Stopwatch.GetTimestamp();
        }

        // Sorting for percentiles happens outside the lock, so recording never waits on it.
        var endpoints = new List<WindowStats>(attempts.Count);
        foreach (var (name, bucket) in attempts)
        {
            endpoints.Add(bucket.ToStats(name));
        }

        return new(Stopwatch.GetElapsedTime(started), endpoints, requests.ToStats(ClientName), resilience, endpointStates, sidecarStates);
    }

    /// <summary>Returns counts for the whole run (latency percentiles are not kept for it).</summary>
    public MetricsSnapshot TakeTotals()
    {
        var (endpointStates, sidecarStates) = ObserveEndpointStates();
        var resilience = _resilience.TakeTotals();
        lock (_gate)
        {
            var endpoints = new List<WindowStats>(_totals.Count);
            foreach (var (name, bucket) in _totals)
            {
                endpoints.Add(new(name, bucket.Count, bucket.Successes, 0, 0));
            }

            var client = new WindowStats(ClientName, _requestTotals.Count, _requestTotals.Successes, 0, 0);
            return new(Stopwatch.GetElapsedTime(_runStarted), endpoints, client, resilience, endpointStates, sidecarStates);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (instrument.Meter.Name == MeshInstruments.Name
            && instrument.Name is MeshInstruments.AttemptDuration or MeshInstruments.RequestDuration
                or MeshInstruments.Retries or MeshInstruments.RetryBudgetExhausted or MeshInstruments.Ejections
                or MeshInstruments.Endpoints)
        {
            listener.EnableMeasurementEvents(instrument, this);
        }
    }

    private bool IsSidecar(Instrument instrument) =>
        SidecarMeterScope is { } scope && ReferenceEquals(instrument.Meter.Scope, scope);

    private void Record(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? endpoint = null;
        var success = false;
        foreach (var tag in tags)
        {
            if (tag.Key == MeshInstruments.EndpointTag)
            {
                endpoint = tag.Value as string;
            }
            else if (tag.Key == MeshInstruments.ClassificationTag)
            {
                success = tag.Value as string == "success";
            }
        }

        var milliseconds = seconds * 1000;
        if (instrument.Name == MeshInstruments.AttemptDuration && endpoint is not null)
        {
            var started = Stopwatch.GetTimestamp() - (long)(seconds * Stopwatch.Frequency);
            _resilience.OnAttempt(IsSidecar(instrument), endpoint, started);
        }

        lock (_gate)
        {
            if (instrument.Name == MeshInstruments.RequestDuration)
            {
                _requests.Add(milliseconds, success, keepLatency: true);
                _requestTotals.Add(milliseconds, success, keepLatency: false);
            }
            else if (endpoint is not null)
            {
                GetOrAdd(_attempts, endpoint).Add(milliseconds, success, keepLatency: true);
                GetOrAdd(_totals, endpoint).Add(milliseconds, success, keepLatency: false);
            }
        }
    }

    private void Count(Instrument instrument, long count, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (instrument.Name)
        {
            case MeshInstruments.Retries:
                _resilience.OnRetry(MeshTags.Find(tags, MeshInstruments.RetryReasonTag) ?? "?", count);
                break;
            case MeshInstruments.RetryBudgetExhausted:
                _resilience.OnBudgetExhausted(count);
                break;
            case MeshInstruments.Ejections when MeshTags.Find(tags, MeshInstruments.EndpointTag) is { } endpoint:
                _resilience.OnEjection(IsSidecar(instrument), endpoint, MeshTags.Find(tags, MeshInstruments.EjectionReasonTag) ?? "?", count, Stopwatch.GetTimestamp());
                break;
        }
    }

    private void Observe(Instrument instrument, int value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument.Name == MeshInstruments.Endpoints)
        {
            _endpointStates.Observe(IsSidecar(instrument), value, tags);
        }
    }

    /// <summary>Reads the <c>mesh.endpoints</c> gauge now: the in-process client's, and the sidecar's.</summary>
    private (EndpointStateCounts Client, EndpointStateCounts Sidecar) ObserveEndpointStates()
    {
        // Observable instruments report only when asked; the answers arrive in Observe before this returns.
        _listener.RecordObservableInstruments();
        return (_endpointStates.Read(sidecar: false), _endpointStates.Read(sidecar: true));
    }

    private static LatencyBucket GetOrAdd(Dictionary<string, LatencyBucket> buckets, string endpoint)
    {
        if (!buckets.TryGetValue(endpoint, out var bucket))
        {
            bucket = new();
            buckets.Add(endpoint, bucket);
        }

        return bucket;
    }
}
