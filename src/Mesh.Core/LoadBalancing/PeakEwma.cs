namespace Mesh.LoadBalancing;

/// <summary>
/// A peak-sensitive exponentially weighted moving average of an endpoint's round-trip time, as in
/// Finagle's and Linkerd's balancers: a sample slower than the estimate replaces it at once; a faster
/// one is blended in with weight <c>1 - e^(-Δt/τ)</c>, so the estimate decays towards recent samples
/// with time constant τ. While no samples arrive the estimate decays towards zero, so an endpoint
/// that was slow once is tried again later.
/// </summary>
/// <remarks>
/// Lock-free: the estimate (milliseconds, as a float) and the time of the last sample (milliseconds
/// since creation) are packed into one 64-bit word updated with compare-and-swap.
/// </remarks>
internal sealed class PeakEwma
{
    private readonly TimeProvider _time;
    private readonly long _origin;
    private double _decayMs;
    private double _failurePenaltyMs;
    private long _state;

    public PeakEwma(TimeProvider time, TimeSpan decayTime, TimeSpan initialRtt, TimeSpan failurePenalty)
    {
        _time = time;
        _origin = time.GetTimestamp();
        _decayMs = decayTime.TotalMilliseconds;
        _failurePenaltyMs = failurePenalty.TotalMilliseconds;
        _state = Pack((float)initialRtt.TotalMilliseconds, 0);
    }

    /// <summary>
    /// Applies reloaded settings to the estimate as it stands: the time constant and the failure penalty apply from the
    /// next sample on (the initial round trip only matters to endpoints not seen yet).
    /// </summary>
    public void Reconfigure(TimeSpan decayTime, TimeSpan failurePenalty)
    {
        Volatile.Write(ref _decayMs, decayTime.TotalMilliseconds);
        Volatile.Write(ref _failurePenaltyMs, failurePenalty.TotalMilliseconds);
    }

    /// <summary>Reads the clock the estimate is kept on.</summary>
    public long Timestamp() => _time.GetTimestamp();

    /// <summary>Gets the current estimate in milliseconds, decayed to now.</summary>
    public double EstimateMs => Decayed(Volatile.Read(ref _state), MsAt(_time.GetTimestamp()));

    /// <summary>Gets the balancer cost at <paramref name="timestamp"/>: the estimate weighted by the load, <c>rtt × (inFlight + 1)</c>.</summary>
    public double Cost(int inFlight, long timestamp) => (Decayed(Volatile.Read(ref _state), MsAt(timestamp)) + 0.001) * (inFlight + 1);

    /// <summary>Records one round trip. A failed one counts as at least <c>FailurePenalty</c> slow, so fast failures do not attract traffic.</summary>
    public void Observe(TimeSpan rtt, bool failed) => Observe(rtt, failed, _time.GetTimestamp());

    /// <summary>Records one round trip that ended at <paramref name="timestamp"/>, a value just read from the clock.</summary>
    public void Observe(TimeSpan rtt, bool failed, long timestamp)
    {
        var sample = rtt.TotalMilliseconds;
        if (failed && sample < _failurePenaltyMs)
        {
            sample = _failurePenaltyMs;
        }

        var now = MsAt(timestamp);
        while (true)
        {
            var old = Volatile.Read(ref _state);
            var (estimate, stamp) = Unpack(old);
            var weight = Weight(stamp, now);
            var decayed = estimate * weight;
            var next = sample > decayed ? sample : decayed + (sample * (1 - weight));

            if (Interlocked.CompareExchange(ref _state, Pack((float)next, now), old) == old)
            {
                return;
            }
        }
    }

    private double Decayed(long state, uint now)
    {
        var (estimate, stamp) = Unpack(state);
        return estimate * Weight(stamp, now);
    }

    // What is left of an estimate made at stamp, at now. Within the same millisecond (most samples of a busy endpoint),
    // all of it, without computing the exponential. The unsigned difference wraps correctly for gaps below 49 days.
    private double Weight(uint stamp, uint now) => now == stamp ? 1 : Math.Exp(-(double)unchecked(now - stamp) / _decayMs);

    private uint MsAt(long timestamp) => unchecked((uint)(long)_time.GetElapsedTime(_origin, timestamp).TotalMilliseconds);

    private static long Pack(float estimateMs, uint stampMs) =>
        ((long)BitConverter.SingleToUInt32Bits(estimateMs) << 32) | stampMs;

    private static (double EstimateMs, uint StampMs) Unpack(long state) =>
        (BitConverter.UInt32BitsToSingle((uint)(state >> 32)), (uint)state);
}
