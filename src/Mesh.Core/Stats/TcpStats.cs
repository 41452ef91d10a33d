using Mesh.Internal;
using Mesh.Telemetry;

namespace Mesh.Stats;

/// <summary>
/// Rolling figures of the opaque TCP connections to one destination in one direction, over the last minute in
/// one-second slots (as <see cref="TrafficStats"/>): connections opened and those that ended badly, bytes each way, and
/// those open now. Read as a <see cref="TcpSnapshot"/> over any window up to a minute.
/// </summary>
internal sealed class TcpStats(string service, string direction, TimeProvider time)
{
    private static readonly TimeSpan Minute = LatencyHistogram.MaxWindow;

    private readonly RollingCounter _opened = new(time, Minute, slots: 60);
    private readonly RollingCounter _failed = new(time, Minute, slots: 60);
    private readonly RollingCounter _transmitted = new(time, Minute, slots: 60);
    private readonly RollingCounter _received = new(time, Minute, slots: 60);
    private int _active;

    public void Opened()
    {
        _opened.Add();
        Interlocked.Increment(ref _active);
    }

    /// <summary>Ends a connection <see cref="Opened"/> before; <paramref name="failed"/> when it did not end cleanly.</summary>
    public void Closed(bool failed)
    {
        Interlocked.Decrement(ref _active);
        if (failed)
        {
            _failed.Add();
        }
    }

    /// <summary>Counts bytes sent towards the destination.</summary>
    public void Transmitted(int bytes) => _transmitted.Add(bytes);

    /// <summary>Counts bytes received from the destination.</summary>
    public void Received(int bytes) => _received.Add(bytes);

    public TcpSnapshot Snapshot(TimeSpan window)
    {
        var slots = (int)Math.Ceiling(window.TotalSeconds);
        var opened = _opened.Sum(slots);
        return new TcpSnapshot(
            service,
            direction,
            Volatile.Read(ref _active),
            opened,
            opened / window.TotalSeconds,
            _failed.Sum(slots),
            _transmitted.Sum(slots) / window.TotalSeconds,
            _received.Sum(slots) / window.TotalSeconds);
    }
}
