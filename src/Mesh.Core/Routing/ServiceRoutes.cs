using System.Collections.Concurrent;

namespace Mesh.Routing;

/// <summary>
/// The <c>mesh.route</c> values one service has used, each with its <see cref="RouteStats"/>: learned, so it outlives
/// reloads. Configured route names and <c>default</c> always have their own; the values taken from requests (gRPC method
/// paths) are bounded by <c>MaxRouteValues</c>, and the requests of any later one count as <c>other</c>, so 10,000
/// distinct paths never make 10,000 series (OpenTelemetry keeps a series for the life of the process). A value is made
/// once; finding one by a request's path allocates nothing.
/// </summary>
internal sealed class ServiceRoutes
{
    private readonly ConcurrentDictionary<string, RouteStats> _values = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RouteStats>.AlternateLookup<ReadOnlySpan<char>> _byPath;
    private readonly TimeProvider _time;
    private readonly bool _groupGrpc;
    private int _taken;

    /// <param name="time">The service's clock.</param>
    /// <param name="groupGrpc">Whether gRPC calls are grouped by method; a service made for a host a caller chose is not (every request is <c>default</c>).</param>
    public ServiceRoutes(TimeProvider time, bool groupGrpc = true)
    {
        _time = time;
        _groupGrpc = groupGrpc;
        _byPath = _values.GetAlternateLookup<ReadOnlySpan<char>>();
        Default = Configured(RouteValues.Default);
    }

    /// <summary>Gets the value of requests no route matches that are not gRPC calls.</summary>
    public RouteStats Default { get; }

    /// <summary>Gets every value used so far.</summary>
    public ICollection<RouteStats> All => _values.Values;

    /// <summary>Gets the statistics of a configured route: its name is always its own value.</summary>
    public RouteStats Configured(string name) =>
        _values.GetOrAdd(name, static (n, time) => new RouteStats(n, time), _time);

    /// <summary>
    /// Gets the value of a gRPC call no route matches: its method path while fewer than <paramref name="max"/> paths have
    /// been named, else <c>other</c>.
    /// </summary>
    public RouteStats ForGrpcMethod(ReadOnlySpan<char> path, int max)
    {
        if (!_groupGrpc)
        {
            return Default;
        }

        if (_byPath.TryGetValue(path, out var known))
        {
            return known;
        }

        // Reserve a place under the cap first, so concurrent new paths never name more than max between them.
        if (Interlocked.Increment(ref _taken) > max)
        {
            Interlocked.Decrement(ref _taken);
            return Configured(RouteValues.Other);
        }

        var stats = new RouteStats(path.ToString(), _time);
        if (!_values.TryAdd(stats.Name, stats))
        {
            // Named at the same moment by another request (or a route is called so): the place reserved goes back.
            Interlocked.Decrement(ref _taken);
            return _values[stats.Name];
        }

        return stats;
    }
}
