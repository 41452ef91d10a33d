namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// At most one log line per <see cref="Period"/> for an event that can repeat with every connection (a peer refused for
/// its identity, a plaintext caller refused under Strict): the first is logged, the next ones in the period are only
/// counted, and the next line says how many there were. Metrics count every one; the log stays readable under a flood.
/// </summary>
internal sealed class LogThrottle(TimeProvider time)
{
    /// <summary>The shortest time between two lines.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private readonly long _period = (long)(Period.TotalSeconds * time.TimestampFrequency);
    private long _next = long.MinValue;
    private long _suppressed;

    /// <summary>Gets whether to log this occurrence; when so, <paramref name="suppressed"/> is how many were not logged since the last line.</summary>
    public bool ShouldLog(out long suppressed)
    {
        var now = time.GetTimestamp();
        var next = Volatile.Read(ref _next);
        if (now < next || Interlocked.CompareExchange(ref _next, now + _period, next) != next)
        {
            Interlocked.Increment(ref _suppressed);
            suppressed = 0;
            return false;
        }

        suppressed = Interlocked.Exchange(ref _suppressed, 0);
        return true;
    }
}
