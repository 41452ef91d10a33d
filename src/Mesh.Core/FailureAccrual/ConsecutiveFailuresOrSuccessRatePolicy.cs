using Mesh.Configuration;
using Mesh.Internal;

namespace Mesh.FailureAccrual;

/// <summary>
/// The default policy: an endpoint is dead after <c>ConsecutiveFailures</c> failures in a row (Finagle's and Envoy's
/// rule), or when its success rate over <c>SuccessRateWindow</c> falls below <c>MinSuccessRate</c> with at least
/// <c>SuccessRateMinRequests</c> requests (which catches an endpoint failing every other request). Lock-free.
/// </summary>
internal sealed class ConsecutiveFailuresOrSuccessRatePolicy : IFailureAccrualPolicy
{
    private readonly TimeProvider _time;
    private Settings _settings;
    private int _consecutive;

    public ConsecutiveFailuresOrSuccessRatePolicy(FailureAccrualOptions options, TimeProvider time)
    {
        _time = time;
        _settings = new Settings(options, new RollingCounter(time, options.SuccessRateWindow), new RollingCounter(time, options.SuccessRateWindow));
    }

    public void RecordSuccess() => RecordSuccessAt(_time.GetTimestamp());

    public void RecordSuccessAt(long timestamp)
    {
        // Written only when it changes: a success in a run of successes leaves the shared line alone.
        if (Volatile.Read(ref _consecutive) != 0)
        {
            Volatile.Write(ref _consecutive, 0);
        }

        Volatile.Read(ref _settings).Requests.AddAt(timestamp);
    }

    public string? RecordFailure()
    {
        var settings = Volatile.Read(ref _settings);
        var options = settings.Options;
        settings.Requests.Add();
        settings.Failures.Add();
        if (Interlocked.Increment(ref _consecutive) >= options.ConsecutiveFailures)
        {
            return EjectionReasons.ConsecutiveFailures;
        }

        var requests = settings.Requests.Sum();
        if (requests >= options.SuccessRateMinRequests && 1 - ((double)settings.Failures.Sum() / requests) < options.MinSuccessRate)
        {
            return EjectionReasons.SuccessRate;
        }

        return null;
    }

    public void Reset()
    {
        var settings = Volatile.Read(ref _settings);
        Volatile.Write(ref _consecutive, 0);
        settings.Requests.Reset();
        settings.Failures.Reset();
    }

    /// <summary>
    /// Applies reloaded thresholds from the next request on, keeping the failures counted so far; a new
    /// <c>SuccessRateWindow</c> starts its success rate afresh.
    /// </summary>
    public void Reconfigure(FailureAccrualOptions options)
    {
        var current = Volatile.Read(ref _settings);
        Volatile.Write(ref _settings, options.SuccessRateWindow == current.Options.SuccessRateWindow
            ? current with { Options = options }
            : new Settings(options, new RollingCounter(_time, options.SuccessRateWindow), new RollingCounter(_time, options.SuccessRateWindow)));
    }

    // The thresholds and the counters over their window, swapped together on a reload.
    private sealed record Settings(FailureAccrualOptions Options, RollingCounter Requests, RollingCounter Failures);
}
