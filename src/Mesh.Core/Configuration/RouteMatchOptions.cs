namespace Mesh.Configuration;

/// <summary>
/// What a route matches, under <c>Mesh:Services:{service}:Routes:{name}:Match</c>: every condition given must hold.
/// Paths are matched as the request was sent (before percent-decoding), case-sensitively.
/// </summary>
public sealed class RouteMatchOptions
{
    /// <summary>Gets or sets the HTTP method, e.g. <c>POST</c> (any case). Default: any.</summary>
    public string? Method { get; set; }

    /// <summary>
    /// Gets or sets the whole path as a template: literal segments and <c>{name}</c> segments that match any one segment,
    /// and a last <c>{*name}</c> that matches the rest (<c>/orders/{id}</c>, <c>/files/{*path}</c>); a trailing slash of
    /// the request does not count. Not with <see cref="PathPrefix"/>. Default: any.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>
    /// Gets or sets a path prefix, matched by whole segments: <c>/api</c> matches <c>/api</c> and <c>/api/x</c>, not
    /// <c>/apix</c>. Not with <see cref="Path"/>. Default: any.
    /// </summary>
    public string? PathPrefix { get; set; }

    /// <summary>Gets or sets headers the request must carry, by name (any case), each with exactly this value.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets the gRPC service, e.g. <c>orders.v1.Orders</c>: gRPC calls (<c>application/grpc*</c>) to its methods.
    /// Not with a path. Default: any.
    /// </summary>
    public string? GrpcService { get; set; }

    /// <summary>Gets or sets the gRPC method, e.g. <c>GetOrder</c>: gRPC calls to a method of this name. Not with a path. Default: any.</summary>
    public string? GrpcMethod { get; set; }
}
