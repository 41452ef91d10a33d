namespace Mesh.Routing;

/// <summary>The <c>mesh.route</c> values Mesh gives itself.</summary>
public static class RouteValues
{
    /// <summary>Requests no route matches that are not gRPC calls (and every request of a service without routes that is not).</summary>
    public const string Default = "default";

    /// <summary>gRPC methods past a service's <c>MaxRouteValues</c>: their requests share this value.</summary>
    public const string Other = "other";
}
