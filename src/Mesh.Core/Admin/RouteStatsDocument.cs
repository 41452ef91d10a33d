using Mesh.Stats;

namespace Mesh.Admin;

/// <summary>One <c>mesh.route</c> value of a service over the window, in <see cref="ServiceStatsDocument"/>.</summary>
/// <param name="Route">The route's name, a gRPC method path (<c>/pkg.Service/Method</c>), <c>default</c> or <c>other</c>.</param>
/// <param name="Requests">Its requests as the callers saw them, after retries and hedges.</param>
/// <param name="RetriesPerSecond">Retries and hedges of its requests per second, 3 decimals.</param>
public sealed record RouteStatsDocument(string Route, TrafficDocument Requests, double RetriesPerSecond)
{
    internal static RouteStatsDocument From(RouteSnapshot route) => new(
        route.Route,
        TrafficDocument.From(route.Requests),
        Math.Round(route.RetriesPerSecond, 3));
}
