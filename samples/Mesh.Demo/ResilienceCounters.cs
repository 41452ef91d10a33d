namespace Mesh.Demo;

/// <summary>
/// Counts retries, refused retries and ejections as Mesh reports them, and works out from the attempts which
/// endpoints are out: one is ejected from its ejection until an attempt starts on it again (its probe). Each Mesh
/// runtime (the in-process client, the sidecar) ejects on its own, so this is worked out per runtime.
/// Thread-safe; timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks.
/// </summary>
internal sealed class ResilienceCounters
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _totalRetries = [];
    private readonly Dictionary<(bool Sidecar, string Endpoint), EndpointRecord> _endpoints = [];
    private Dictionary<string, long> _windowRetries = [];
    private long _windowBudgetExhausted;
    private long _totalBudgetExhausted;

    public void OnRetry(string reason, long count)
    {
        lock (_gate)
        {
            Add(_windowRetries, reason, count);
            Add(_totalRetries, reason, count);
        }
    }

    public void OnBudgetExhausted(long count)
    {
        lock (_gate)
        {
            _windowBudgetExhausted += count;
            _totalBudgetExhausted += count;
        }
    }

    public void OnEjection(bool sidecar, string endpoint, string reason, long count, long timestamp)
    {
        lock (_gate)
        {
            var record = Endpoint(sidecar, endpoint);
            Add(record.Reasons, reason, count);
            record.LastEjection = Math.Max(record.LastEjection, timestamp);
        }
    }

    /// <summary>
    /// An attempt on <paramref name="endpoint"/> that started at <paramref name="started"/>. Mesh records an attempt
    /// when it ends, after failure accrual has judged it, so the attempt that caused an ejection is reported after the
    /// ejection; its start, not its end, tells whether it came after.
    /// </summary>
    public void OnAttempt(bool sidecar, string endpoint, long started)
    {
        lock (_gate)
        {
            var record = Endpoint(sidecar, endpoint);
            record.LastAttemptStarted = Math.Max(record.LastAttemptStarted, started);
        }
    }

    /// <summary>Returns retries since the last call (ejections for the whole run) and starts a new window.</summary>
    public ResilienceSnapshot TakeWindow()
    {
        lock (_gate)
        {
            var snapshot = new ResilienceSnapshot(_windowRetries, _windowBudgetExhausted, Ejections());
            _windowRetries = [];
            _windowBudgetExhausted = 0;
            return snapshot;
        }
    }

    /// <summary>Returns everything for the whole run.</summary>
    public ResilienceSnapshot TakeTotals()
    {
        lock (_gate)
        {
            return new(new Dictionary<string, long>(_totalRetries), _totalBudgetExhausted, Ejections());
        }
    }

    private static void Add(Dictionary<string, long> counts, string key, long count) =>
        counts[key] = counts.GetValueOrDefault(key) + count;

    private EndpointRecord Endpoint(bool sidecar, string endpoint)
    {
        if (!_endpoints.TryGetValue((sidecar, endpoint), out var record))
        {
            record = new();
            _endpoints.Add((sidecar, endpoint), record);
        }

        return record;
    }

    private List<KeyValuePair<string, EndpointEjections>> Ejections()
    {
        var ejections = new List<KeyValuePair<string, EndpointEjections>>(_endpoints.Count);
        foreach (var ((sidecar, endpoint), record) in _endpoints)
        {
            var ejected = record.Reasons.Count > 0 && record.LastAttemptStarted <= record.LastEjection;
            ejections.Add(new(endpoint, new(new Dictionary<string, long>(record.Reasons), ejected ? Ejector(sidecar) : EjectedBy.None)));
        }

        return ejections;
    }

    private static EjectedBy Ejector(bool sidecar) => sidecar ? EjectedBy.Sidecar : EjectedBy.Client;

    /// <summary>What is known of one endpoint: its ejections and when the latest ejection and attempt happened.</summary>
    private sealed class EndpointRecord
    {
        public Dictionary<string, long> Reasons { get; } = [];

        public long LastEjection { get; set; } = long.MinValue;

        public long LastAttemptStarted { get; set; } = long.MinValue;
    }
}
