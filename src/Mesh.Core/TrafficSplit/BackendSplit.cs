using Mesh.Configuration;

namespace Mesh.TrafficSplit;

/// <summary>
/// A service's (or a route's) weighted backends, <c>Backends: { orders-v1: 90, orders-v2: 10 }</c>, as its immutable
/// policy holds them: cumulative weights, so a pick is one uniform draw and a short scan. Built at reload; a reload that
/// changes the weights swaps the whole policy, and requests already running keep the split they started with.
/// </summary>
internal sealed class BackendSplit
{
    private readonly Backend[] _backends;
    private readonly long[] _cumulative;
    private readonly long _total;

    private BackendSplit(Backend[] backends)
    {
        _backends = backends;
        _cumulative = new long[backends.Length];
        for (var i = 0; i < backends.Length; i++)
        {
            _total += backends[i].Weight;
            _cumulative[i] = _total;
        }
    }

    /// <summary>Gets the backends, by name.</summary>
    public IReadOnlyList<Backend> Backends => _backends;

    /// <summary>
    /// The split <paramref name="weights"/> configure for <paramref name="owner"/> (a backend named as the owner is the
    /// owner's own endpoints), or null when there are none. Backends are services looked up with <paramref name="serviceOf"/>.
    /// </summary>
    public static BackendSplit? From(IReadOnlyDictionary<string, int> weights, MeshService owner, Func<string, MeshService>? serviceOf)
    {
        if (weights.Count == 0)
        {
            return null;
        }

        var lookup = serviceOf ?? throw new InvalidOperationException($"Mesh: service '{owner.Name}' has Backends, but its host cannot look up other services.");
        var backends = weights
            .OrderBy(static w => w.Key, StringComparer.OrdinalIgnoreCase)
            .Select(w => new Backend(w.Key, w.Value, lookup, string.Equals(w.Key, owner.Name, StringComparison.OrdinalIgnoreCase) ? owner : null))
            .ToArray();
        return new BackendSplit(backends);
    }

    /// <summary>Picks a backend for <paramref name="draw"/>, uniform in [0, 1): each with the probability of its share of the weights.</summary>
    public Backend Pick(double draw)
    {
        var target = (long)(draw * _total);
        for (var i = 0; i < _cumulative.Length; i++)
        {
            if (target < _cumulative[i])
            {
                return _backends[i];
            }
        }

        return _backends[^1];
    }

    /// <summary>Adds an error for each bad weight of <paramref name="weights"/> under <paramref name="prefix"/> (<c>Backends</c> or a route's).</summary>
    public static void Validate(IReadOnlyDictionary<string, int> weights, string prefix, ValidationErrors errors)
    {
        long total = 0;
        foreach (var (name, weight) in weights)
        {
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
            {
                errors.Add($"{prefix}:{name}", "must name a service");
            }

            errors.RequireRange($"{prefix}:{name}", weight, 0, 1_000_000);
            total += Math.Max(weight, 0);
        }

        if (weights.Count > 0 && total == 0)
        {
            errors.Add(prefix, "must give at least one backend a weight above 0");
        }
    }
}
