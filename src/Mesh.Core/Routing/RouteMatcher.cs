using Mesh.Configuration;

namespace Mesh.Routing;

/// <summary>
/// What a route matches, compiled when its policy is built from <see cref="RouteMatchOptions"/>: the method as an
/// <see cref="HttpMethod"/>, the path as a <see cref="PathTemplate"/> or a prefix, headers as name and value pairs, a
/// gRPC service and method as the path's parts. Matching reads the request in place and allocates nothing.
/// </summary>
internal sealed class RouteMatcher
{
    private readonly HttpMethod? _method;
    private readonly PathTemplate? _path;
    private readonly string? _prefix;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly string? _grpcService;
    private readonly string? _grpcMethod;

    private RouteMatcher(HttpMethod? method, PathTemplate? path, string? prefix, KeyValuePair<string, string>[] headers, string? grpcService, string? grpcMethod)
    {
        _method = method;
        _path = path;
        _prefix = prefix;
        _headers = headers;
        _grpcService = grpcService;
        _grpcMethod = grpcMethod;
    }

    /// <summary>Compiles <paramref name="options"/>, already validated (<see cref="Validate"/>).</summary>
    public static RouteMatcher Compile(RouteMatchOptions options, string key)
    {
        PathTemplate? path = null;
        if (options.Path is { } template && !PathTemplate.TryParse(template, out path, out var error))
        {
            throw new InvalidOperationException($"Mesh: {key}:Path {error}, was '{template}'");
        }

        return new RouteMatcher(
            options.Method is { Length: > 0 } method ? HttpMethod.Parse(method.ToUpperInvariant()) : null,
            path,
            options.PathPrefix,
            [.. options.Headers],
            options.GrpcService is { Length: > 0 } service ? $"/{service}/" : null,
            options.GrpcMethod is { Length: > 0 } grpcMethod ? $"/{grpcMethod}" : null);
    }

    /// <summary>Adds an error for each condition of <paramref name="options"/> that cannot be matched, under <paramref name="prefix"/>.</summary>
    public static void Validate(RouteMatchOptions options, string prefix, ValidationErrors errors)
    {
        if (options.Method is { } method && (method.Length == 0 || !method.All(char.IsAsciiLetter)))
        {
            errors.Add($"{prefix}:Method", $"must be an HTTP method such as GET or POST, was '{method}'");
        }

        if (options.Path is { } path && !PathTemplate.TryParse(path, out _, out var error))
        {
            errors.Add($"{prefix}:Path", $"{error}, was '{path}'");
        }

        if (options.PathPrefix is { } pathPrefix && !pathPrefix.StartsWith('/'))
        {
            errors.Add($"{prefix}:PathPrefix", $"must start with /, was '{pathPrefix}'");
        }

        if (options.Path is not null && options.PathPrefix is not null)
        {
            errors.Add($"{prefix}:PathPrefix", "must not be set with Path: a route matches a template or a prefix");
        }

        foreach (var (name, _) in options.Headers)
        {
            if (name.Length == 0 || !name.All(static c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                errors.Add($"{prefix}:Headers:{name}", "must be a header name (letters, digits and !#$%&'*+-.^_`|~)");
            }
        }

        CheckGrpc(options.GrpcService, $"{prefix}:GrpcService", "orders.v1.Orders", errors);
        CheckGrpc(options.GrpcMethod, $"{prefix}:GrpcMethod", "GetOrder", errors);
        if ((options.GrpcService ?? options.GrpcMethod) is not null && (options.Path ?? options.PathPrefix) is not null)
        {
            errors.Add($"{prefix}:{(options.GrpcService is null ? "GrpcMethod" : "GrpcService")}", "must not be set with Path or PathPrefix: a gRPC call's path is its service and method");
        }
    }

    /// <summary>Whether the request matches every condition; <paramref name="path"/> is its path, <paramref name="grpc"/> whether it is a gRPC call.</summary>
    public bool Matches(HttpRequestMessage request, ReadOnlySpan<char> path, bool grpc)
    {
        if (_method is not null && request.Method != _method)
        {
            return false;
        }

        if (_path is not null && !_path.Matches(path))
        {
            return false;
        }

        if (_prefix is not null && !MatchesPrefix(path, _prefix))
        {
            return false;
        }

        if ((_grpcService is not null || _grpcMethod is not null) && !MatchesGrpc(path, grpc))
        {
            return false;
        }

        foreach (var (name, value) in _headers)
        {
            if (!HasHeader(request, name, value))
            {
                return false;
            }
        }

        return true;
    }

    // By whole segments: /api matches /api and /api/x, not /apix.
    private static bool MatchesPrefix(ReadOnlySpan<char> path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) &&
        (path.Length == prefix.Length || prefix[^1] == '/' || path[prefix.Length] == '/');

    // A gRPC call's path is /{service}/{method}.
    private bool MatchesGrpc(ReadOnlySpan<char> path, bool grpc)
    {
        if (!grpc || path.Length < 4 || path[1..].Count('/') != 1)
        {
            return false;
        }

        return (_grpcService is null || path.StartsWith(_grpcService, StringComparison.Ordinal)) &&
            (_grpcMethod is null || path.EndsWith(_grpcMethod, StringComparison.Ordinal));
    }

    private static bool HasHeader(HttpRequestMessage request, string name, string value)
    {
        if (request.Headers.NonValidated.TryGetValues(name, out var values) ||
            (request.Content is { } content && content.Headers.NonValidated.TryGetValues(name, out values)))
        {
            foreach (var given in values)
            {
                if (string.Equals(given, value, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void CheckGrpc(string? name, string key, string example, ValidationErrors errors)
    {
        if (name is not null && (name.Length == 0 || name.Contains('/', StringComparison.Ordinal)))
        {
            errors.Add(key, $"must be a name without / such as {example}, was '{name}'");
        }
    }
}
