using Mesh.Internal;

namespace Mesh.RetryBudgets;

/// <summary>
/// Finagle's and Linkerd's retry budget: retries may add at most <c>ratio</c> to the requests of the last
/// <c>window</c>, plus <c>minPerSecond</c> retries per second that are always allowed, so that a service in
/// trouble sees at most (1 + ratio) × its normal load and never a retry storm. Every logical request deposits;
/// every retry or hedge withdraws, and is refused when the budget is empty.
/// </summary>
internal sealed class RetryBudget
{
    private RollingCounter _requests;
    private RollingCounter _retries;
    private double _ratio;
    private int _minPerSecond;
    private TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly long _created;

    /// <summary>Creates a budget.</summary>
    /// <param name="ratio">Retries as a share of requests, in (0, 1]; 0.2 by default.</param>
    /// <param name="minPerSecond">Retries per second allowed whatever the traffic; 10 by default.</param>
    /// <param name="window">How far back requests and retries count; 10 s by default.</param>
    /// <param name="time">The clock.</param>
    public RetryBudget(double ratio, int minPerSecond, TimeSpan window, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _ratio = ratio;
        _minPerSecond = minPerSecond;
        _window = window;
        _time = time;
        _created = time.GetTimestamp();
        _requests = new RollingCounter(time, window);
        _retries = new RollingCounter(time, window);
    }

    /// <summary>
    /// Takes reloaded settings, keeping what the budget has counted: the requests and retries of the window and the
    /// reserve accrued since the service's first use. A new window keeps the counts so far, which then age out over it.
    /// </summary>
    internal void Reconfigure(double ratio, int minPerSecond, TimeSpan window)
    {
        if (window != _window)
        {
            var now = _time.GetTimestamp();
            Volatile.Write(ref _requests, _requests.Resized(window, now));
            Volatile.Write(ref _retries, _retries.Resized(window, now));
            _window = window;
        }

        Volatile.Write(ref _ratio, ratio);
        Volatile.Write(ref _minPerSecond, minPerSecond);
    }

    /// <summary>Records one logical request.</summary>
    public void Deposit() => Volatile.Read(ref _requests).Add();

    /// <summary>Records one logical request that started at <paramref name="timestamp"/>, a value just read from the budget's clock.</summary>
    internal void DepositAt(long timestamp) => Volatile.Read(ref _requests).AddAt(timestamp);

    /// <summary>Takes one retry from the budget; false when it is empty, and then nothing is taken.</summary>
    public bool TryWithdraw()
    {
        if (Remaining < 1)
        {
            return false;
        }

        Volatile.Read(ref _retries).Add();
        return true;
    }

    /// <summary>Gets the retries still allowed in the current window.</summary>
    public double Remaining => (Volatile.Read(ref _ratio) * Volatile.Read(ref _requests).Sum()) + Reserve() - Volatile.Read(ref _retries).Sum();

    // The always-allowed retries accrue at minPerSecond: a new budget does not start with a whole window's worth.
    private double Reserve()
    {
        var seconds = Math.Min(_window.TotalSeconds, Math.Floor(_time.GetElapsedTime(_created).TotalSeconds) + 1);
        return Volatile.Read(ref _minPerSecond) * seconds;
    }
}
