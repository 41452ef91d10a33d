using System.Collections.Concurrent;

namespace Mesh.Telemetry;

/// <summary>
/// The names a caller chooses (the hosts of dynamic services, the hosts of unknown-service errors) that a metric may
/// carry: the first <c>Mesh:DynamicServices:MaxMetricNames</c> seen in the process's life are kept, later ones are
/// <see cref="Other"/>. OpenTelemetry keeps a cumulative series for the life of the process, so forgetting a name could
/// not drop its series: bounding them is what keeps them finite.
/// </summary>
internal sealed class MetricNames(Func<int> max)
{
    /// <summary>The name of every one past the bound.</summary>
    public const string Other = "other";

    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.OrdinalIgnoreCase);
    private int _count;

    /// <summary>Gets the metric name of <paramref name="name"/>: itself if it was named before or the bound allows one more, else <see cref="Other"/>.</summary>
    public string For(string name)
    {
        if (_names.ContainsKey(name))
        {
            return name;
        }

        // A place is reserved before the name is added, so that names arriving at the same moment cannot together pass
        // the bound (checking the count and then adding let two through at the last place).
        if (Interlocked.Increment(ref _count) <= max())
        {
            if (!_names.TryAdd(name, 0))
            {
                // Named meanwhile by another caller of the same name: its place is the one in use.
                Interlocked.Decrement(ref _count);
            }

            return name;
        }

        Interlocked.Decrement(ref _count);
        return _names.ContainsKey(name) ? name : Other;
    }
}
