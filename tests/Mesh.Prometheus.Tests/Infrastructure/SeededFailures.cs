namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>Decides from a seeded sequence which requests an endpoint fails, and counts them: a known share, every run.</summary>
public sealed class SeededFailures(int seed, double share)
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();
    private int _failures;

    public int Failures
    {
        get
        {
            lock (_lock)
            {
                return _failures;
            }
        }
    }

    /// <summary>Whether the next request fails.</summary>
    public bool Next()
    {
        lock (_lock)
        {
            var fail = _random.NextDouble() < share;
            _failures += fail ? 1 : 0;
            return fail;
        }
    }
}
