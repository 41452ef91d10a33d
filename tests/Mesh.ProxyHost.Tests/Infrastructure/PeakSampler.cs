namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>The largest value a process-wide figure took while it was watched: sampled about every millisecond on a thread of its own.</summary>
public sealed class PeakSampler : IDisposable
{
    private readonly Func<long> _read;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new(false);
    private long _peak;

    public PeakSampler(Func<long> read)
    {
        _read = read;
        _peak = read();
        _thread = new Thread(Run) { IsBackground = true, Name = "peak-sampler" };
        _thread.Start();
    }

    public long Peak => Interlocked.Read(ref _peak);

    private void Run()
    {
        do
        {
            var value = _read();
            if (value > Interlocked.Read(ref _peak))
            {
                Interlocked.Exchange(ref _peak, value);
            }
        }
        while (!_stop.Wait(1));
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }
}
