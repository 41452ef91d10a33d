namespace Mesh.Routing;

/// <summary>
/// A service's routes in the order they are tried (ascending <c>Order</c>, then by name), part of its immutable policy:
/// built once per reload, then read by every request with no lock and no allocation. The first route that matches wins.
/// </summary>
internal sealed class RouteTable
{
    public static readonly RouteTable Empty = new([]);

    private readonly MeshRoute[] _routes;

    public RouteTable(IEnumerable<MeshRoute> routes) =>
        _routes = routes.OrderBy(static r => r.Order).ThenBy(static r => r.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Gets the routes in the order they are tried.</summary>
    public IReadOnlyList<MeshRoute> Routes => _routes;

    /// <summary>Gets the first route <paramref name="request"/> matches, or null.</summary>
    public MeshRoute? Match(HttpRequestMessage request, ReadOnlySpan<char> path, bool grpc)
    {
        foreach (var route in _routes)
        {
            if (route.Match.Matches(request, path, grpc))
            {
                return route;
            }
        }

        return null;
    }
}
