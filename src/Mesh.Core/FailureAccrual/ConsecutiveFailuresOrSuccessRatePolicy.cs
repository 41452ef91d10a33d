using Mesh.Configuration;
using Mesh.Internal;

namespace Mesh.FailureAccrual;

/// <summary>
/// The default policy: an endpoint is dead after <c>ConsecutiveFailures</c> failures in a row (Finagle's and Envoy's
/// rule), or when its success rate over <c>SuccessRateWindow</c> falls below <c>MinSuccessRate</c> with at least
/// <c>SuccessRateMinRequests</c> requests (which catches an endpoint failing every other request). Lock-free.
/// </summary>
internal sealed class ConsecutiveFailuresOrSuccessRatePolicy(FailureAccrualOptions options, TimeProvider time) : IFailureAccrualPolicy
{
    private readonly RollingCounter _requests = new(time, options.SuccessRateWindow);
    private readonly RollingCounter _failures = new(time, options.SuccessRateWindow);
    private int _consecutive;

    public void RecordSuccess()
    {
        Volatile.Write(ref _consecutive, 0);
        _requests.Add();
    }

    public string? RecordFailure()
    {
        _requests.Add();
        _failures.Add();
        if (Interlocked.Increment(ref _consecutive) >= options.ConsecutiveFailures)
        {
            return EjectionReasons.ConsecutiveFailures;
        }

        var requests = _requests.Sum();
        if (requests >= options.SuccessRateMinRequests && 1 - ((double)_failures.Sum() / requests) < options.MinSuccessRate)
        {
            return EjectionReasons.SuccessRate;
        }

        return null;
    }

    public void Reset()
    {
        Volatile.Write(ref _consecutive, 0);
        _requests.Reset();
        _failures.Reset();
    }
}
