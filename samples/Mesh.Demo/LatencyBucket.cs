namespace Mesh.Demo;

/// <summary>The measurements of one endpoint (or of the caller) in one window, or in the whole run.</summary>
internal sealed class LatencyBucket
{
    private readonly List<double> _latenciesMs = [];

    public int Count { get; private set; }

    public int Successes { get; private set; }

    public void Add(double milliseconds, bool success, bool keepLatency)
    {
        Count++;
        Successes += success ? 1 : 0;
        if (keepLatency)
        {
            _latenciesMs.Add(milliseconds);
        }
    }

    public WindowStats ToStats(string name)
    {
        _latenciesMs.Sort();
        return new(name, Count, Successes, Percentile(0.50), Percentile(0.99));
    }

    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    private double Percentile(double p) =>
        _latenciesMs.Count == 0 ? 0 : _latenciesMs[Math.Max(0, (int)Math.Ceiling(p * _latenciesMs.Count) - 1)];
}
