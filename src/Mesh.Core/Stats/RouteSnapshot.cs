namespace Mesh.Stats;

/// <summary>One <c>mesh.route</c> value of a service over a window.</summary>
/// <param name="Route">The route's name, a gRPC method path, <c>default</c> or <c>other</c>.</param>
/// <param name="Requests">Its requests as the callers saw them, after retries.</param>
/// <param name="RetriesPerSecond">Retries (and hedges) of its requests per second.</param>
internal sealed record RouteSnapshot(string Route, TrafficSnapshot Requests, double RetriesPerSecond);
