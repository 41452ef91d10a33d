using Mesh.Bodies;
using Mesh.Internal;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// Measures what a transfer costs the test process (where the sidecar runs), from a baseline taken after a full
/// collection: sampled on a thread of its own, the bytes in Mesh's replay buffers, the managed heap and the working
/// set; counted, the managed bytes allocated. Meaningful only when nothing else runs in the process, hence
/// <see cref="SerialCollection"/>. The transfer measured may take samples too (<see cref="Sample"/>, e.g. after each
/// read), so that samples are taken while the bytes move even when a busy machine starves the probe's thread.
/// </summary>
public sealed class MemoryProbe : IDisposable
{
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _tick = new(false);
    private readonly long _allocatedAtStart;
    private readonly int _collectionsAtStart;
    private volatile bool _stop;
    private long _peakBuffered;
    private long _peakManaged;
    private long _peakWorkingSet;
    private long _allocated;
    private int _collections;
    private int _samples;

    private MemoryProbe()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        BaselineBuffered = ReplayableContent.BufferedBytes;
        BaselineManaged = GC.GetTotalMemory(forceFullCollection: false);
        BaselineWorkingSet = Environment.WorkingSet;
        _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        _collectionsAtStart = GC.CollectionCount(0);
        _peakBuffered = BaselineBuffered;
        _peakManaged = BaselineManaged;
        _peakWorkingSet = BaselineWorkingSet;
        _thread = new Thread(SampleEveryMillisecond) { IsBackground = true, Name = "memory-probe" };
        _thread.Start();
    }

    public long BaselineBuffered { get; }

    public long BaselineManaged { get; }

    public long BaselineWorkingSet { get; }

    /// <summary>Gets the most bytes the replay buffers held above the baseline.</summary>
    public long BufferedGrowth => Volatile.Read(ref _peakBuffered) - BaselineBuffered;

    /// <summary>
    /// Gets the largest managed heap growth sampled (garbage not yet collected included). Informative only: a sample
    /// taken while a collection runs can exceed even <see cref="Allocated"/>.
    /// </summary>
    public long ManagedGrowth => Volatile.Read(ref _peakManaged) - BaselineManaged;

    /// <summary>Gets the managed bytes allocated, by every thread, from the start until <see cref="Dispose"/>.</summary>
    public long Allocated => _allocated;

    /// <summary>Gets the largest working set growth sampled.</summary>
    public long WorkingSetGrowth => Volatile.Read(ref _peakWorkingSet) - BaselineWorkingSet;

    public int Samples => Volatile.Read(ref _samples);

    public static MemoryProbe Start() => new();

    public override string ToString() =>
        $"replay buffers +{BufferedGrowth / 1024} KiB, managed heap +{ManagedGrowth / (1024 * 1024)} MiB, working set +{WorkingSetGrowth / (1024 * 1024)} MiB over {Samples} samples; {Allocated / (1024 * 1024)} MiB allocated, {_collections} collections";

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        _tick.Dispose();
        _allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart;
        _collections = GC.CollectionCount(0) - _collectionsAtStart;
    }

    /// <summary>Takes one sample now, on the caller's thread (safe alongside the probe's own).</summary>
    public void Sample()
    {
        Atomic.Max(ref _peakBuffered, ReplayableContent.BufferedBytes);
        Atomic.Max(ref _peakManaged, GC.GetTotalMemory(forceFullCollection: false));
        Atomic.Max(ref _peakWorkingSet, Environment.WorkingSet);
        Interlocked.Increment(ref _samples);
    }

    private void SampleEveryMillisecond()
    {
        while (!_stop)
        {
            Sample();
            // Sample about every millisecond; the probe's own thread, so it never competes with the code measured.
            _tick.Wait(1);
        }
    }
}
