namespace Mesh.Internal;

/// <summary>
/// A lock-free count of events over a sliding window, kept in slots of <c>window / slots</c>: each slot packs
/// the slot's epoch (32 bits) and its count (32 bits) into one word updated with compare-and-swap, so a stale
/// slot is reset by the first writer of a new epoch. <see cref="Sum()"/> covers the current slot and the
/// <c>slots - 1</c> before it.
/// </summary>
internal sealed class RollingCounter
{
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly long _ticksPerSlot;
    private readonly long[] _slots;

    public RollingCounter(TimeProvider time, TimeSpan window, int slots = 10)
        : this(time, time.GetTimestamp(), Math.Max(1, (long)(window.TotalSeconds * time.TimestampFrequency / slots)), slots)
    {
    }

    /// <summary>
    /// Makes a counter whose slots start at <paramref name="origin"/> and last <paramref name="ticksPerSlot"/> of
    /// <paramref name="time"/>'s timestamps: laid out like another series, so one timestamp falls in the same slot of both.
    /// </summary>
    public RollingCounter(TimeProvider time, long origin, long ticksPerSlot, int slots)
    {
        _time = time;
        _origin = origin;
        _ticksPerSlot = ticksPerSlot;
        _slots = new long[slots];
    }

    public void Add(int count = 1) => AddAt(_time.GetTimestamp(), count);

    /// <summary>Adds at <paramref name="timestamp"/>, a value just read from this counter's clock, so callers recording several counters read it once.</summary>
    public void AddAt(long timestamp, int count = 1)
    {
        var epoch = EpochAt(timestamp);
        ref var slot = ref _slots[epoch % (uint)_slots.Length];
        while (true)
        {
            var old = Volatile.Read(ref slot);
            var next = EpochOf(old) == epoch ? old + count : Pack(epoch, count);
            if (Interlocked.CompareExchange(ref slot, next, old) == old)
            {
                return;
            }
        }
    }

    public long Sum() => Sum(_slots.Length);

    /// <summary>Sums the current slot and the <paramref name="slots"/> - 1 before it.</summary>
    public long Sum(int slots) => SumAt(slots, _time.GetTimestamp());

    /// <summary>
    /// Sums the slot of <paramref name="now"/> (a timestamp of this counter's clock) and the <paramref name="slots"/> - 1
    /// before it, so a caller reading several series sums them all at one moment.
    /// </summary>
    public long SumAt(int slots, long now)
    {
        slots = Math.Clamp(slots, 1, _slots.Length);
        var epoch = EpochAt(now);
        var oldest = epoch >= (uint)slots ? epoch - (uint)slots + 1 : 0;
        long sum = 0;
        foreach (ref readonly var slot in _slots.AsSpan())
        {
            var value = Volatile.Read(in slot);
            var slotEpoch = EpochOf(value);
            if (slotEpoch >= oldest && slotEpoch <= epoch)
            {
                sum += (uint)value;
            }
        }

        return sum;
    }

    public void Reset() => Array.Clear(_slots);

    /// <summary>
    /// Makes a counter over <paramref name="window"/> (as many slots as this one) that starts with this one's count,
    /// placed at <paramref name="now"/>: nothing counted is lost, and it ages out over the new window.
    /// </summary>
    public RollingCounter Resized(TimeSpan window, long now)
    {
        var resized = new RollingCounter(_time, window, _slots.Length);
        var count = Sum();
        if (count > 0)
        {
            resized.AddAt(now, (int)Math.Min(count, int.MaxValue));
        }

        return resized;
    }

    // Epochs start at 1 so an untouched slot (0) never counts.
    private uint EpochAt(long timestamp) => (uint)Math.Max(0, (timestamp - _origin) / _ticksPerSlot) + 1;

    private static uint EpochOf(long value) => (uint)(value >>> 32);

    private static long Pack(uint epoch, int count) => ((long)epoch << 32) | (uint)count;
}
