using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Telemetry;

namespace Mesh.Demo;

/// <summary>
/// Listens to Mesh's own meter, as any metrics exporter would, and turns its duration histograms into
/// windows: <see cref="TakeWindow"/> returns everything measured since the previous call and starts a new
/// window; <see cref="TakeTotals"/> returns the whole run.
/// </summary>
internal sealed class MeshMetricsWindow : IDisposable
{
    private const string ClientName = "client";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bucket> _totals = [];
    private readonly Bucket _requestTotals = new();
    private readonly long _runStarted = Stopwatch.GetTimestamp();
    private Dictionary<string, Bucket> _attempts = [];
    private Bucket _requests = new();
    private long _windowStarted = Stopwatch.GetTimestamp();

    public MeshMetricsWindow()
    {
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) =>
            ((MeshMetricsWindow)state!).Record(instrument.Name, value, tags));
        _listener.Start();
    }

    /// <summary>Returns the window since the last call and starts a new one.</summary>
    public MetricsSnapshot TakeWindow()
    {
        Dictionary<string, Bucket> attempts;
        Bucket requests;
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

        return new(Stopwatch.GetElapsedTime(started), endpoints, requests.ToStats(ClientName));
    }

    /// <summary>Returns counts for the whole run (latency percentiles are not kept for it).</summary>
    public MetricsSnapshot TakeTotals()
    {
        lock (_gate)
        {
            var endpoints = new List<WindowStats>(_totals.Count);
            foreach (var (name, bucket) in _totals)
            {
                endpoints.Add(new(name, bucket.Count, bucket.Successes, 0, 0));
            }

            var client = new WindowStats(ClientName, _requestTotals.Count, _requestTotals.Successes, 0, 0);
            return new(Stopwatch.GetElapsedTime(_runStarted), endpoints, client);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (instrument.Meter.Name == MeshInstruments.Name
            && instrument.Name is MeshInstruments.AttemptDuration or MeshInstruments.RequestDuration)
        {
            listener.EnableMeasurementEvents(instrument, this);
        }
    }

    private void Record(string instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
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
        lock (_gate)
        {
            if (instrument == MeshInstruments.RequestDuration)
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

    private static Bucket GetOrAdd(Dictionary<string, Bucket> buckets, string endpoint)
    {
        if (!buckets.TryGetValue(endpoint, out var bucket))
        {
            bucket = new();
            buckets.Add(endpoint, bucket);
        }

        return bucket;
    }

    /// <summary>The measurements of one endpoint in one window.</summary>
    private sealed class Bucket
    {
        private readonly List<double> _latenciesMs = [];

        public int Count { get; private set; }

        public int Successes { get; private set; }

        public void Add(double milliseconds, bool success, bool keepLatency)
        {
            Count++;
            Successes += success ? 1 : 0;
            if (keepLatency)
            {
                _latenciesMs.Add(milliseconds);
            }
        }

        public WindowStats ToStats(string name)
        {
            _latenciesMs.Sort();
            return new(name, Count, Successes, Percentile(0.50), Percentile(0.99));
        }

        // Nearest rank: the smallest sample with at least p of the samples at or below it.
        private double Percentile(double p) =>
            _latenciesMs.Count == 0 ? 0 : _latenciesMs[Math.Max(0, (int)Math.Ceiling(p * _latenciesMs.Count) - 1)];
    }
}
