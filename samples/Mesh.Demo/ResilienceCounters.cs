namespace Mesh.Demo;

/// <summary>
/// Counts retries, refused retries and ejections as Mesh reports them, and works out from the attempts which
/// endpoints are out: one is ejected from its ejection until an attempt starts on it again (its probe).
/// Thread-safe; timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks.
/// </summary>
internal sealed class ResilienceCounters
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _totalRetries = [];
    private readonly Dictionary<string, EndpointRecord> _endpoints = [];
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

    public void OnEjection(string endpoint, string reason, long count, long timestamp)
    {
        lock (_gate)
        {
            var record = Endpoint(endpoint);
            Add(record.Reasons, reason, count);
            record.LastEjection = Math.Max(record.LastEjection, timestamp);
        }
    }

    /// <summary>
    /// An attempt on <paramref name="endpoint"/> that started at <paramref name="started"/>. Mesh records an attempt
    /// when it ends, after failure accrual has judged it, so the attempt that caused an ejection is reported after the
    /// ejection; its start, not its end, tells whether it came after.
    /// </summary>
    public void OnAttempt(string endpoint, long started)
    {
        lock (_gate)
        {
            var record = Endpoint(endpoint);
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

    private EndpointRecord Endpoint(string endpoint)
    {
        if (!_endpoints.TryGetValue(endpoint, out var record))
        {
            record = new();
            _endpoints.Add(endpoint, record);
        }

        return record;
    }

    private Dictionary<string, EndpointEjections> Ejections()
    {
        var ejections = new Dictionary<string, EndpointEjections>(_endpoints.Count);
        foreach (var (endpoint, record) in _endpoints)
        {
            var ejected = record.Reasons.Count > 0 && record.LastAttemptStarted <= record.LastEjection;
            ejections.Add(endpoint, new(new Dictionary<string, long>(record.Reasons), ejected));
        }

        return ejections;
    }

    /// <summary>What is known of one endpoint: its ejections and when the latest ejection and attempt happened.</summary>
    private sealed class EndpointRecord
    {
        public Dictionary<string, long> Reasons { get; } = [];

        public long LastEjection { get; set; } = long.MinValue;

        public long LastAttemptStarted { get; set; } = long.MinValue;
    }
}
