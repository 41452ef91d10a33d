using Mesh.Identity;

namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>One rule, ready to decide: what it covers and whom it allows.</summary>
internal sealed class AuthorizationRule(string name, string pathPrefix, int port, SpiffeIdPattern[] clients, bool allowUnauthenticated)
{
    public string Name { get; } = name;

    public string PathPrefix { get; } = pathPrefix;

    /// <summary>Gets the port it covers; 0 for every port.</summary>
    public int Port { get; } = port;

    /// <summary>Whether it covers a request to <paramref name="path"/> on <paramref name="localPort"/>.</summary>
    public bool Covers(int localPort, string path) =>
        (Port == 0 || Port == localPort) && CoversPath(path);

    /// <summary>Whether it allows a caller that proved <paramref name="clientId"/> (null: proved none).</summary>
    public bool Allows(string? clientId)
    {
        if (clientId is null)
        {
            return allowUnauthenticated;
        }

        foreach (var pattern in clients)
        {
            if (pattern.Matches(clientId))
            {
                return true;
            }
        }

        return false;
    }

    // By whole segments: "/admin" covers "/admin" and "/admin/x", not "/administrator"; "/" and "/admin/" end in one.
    private bool CoversPath(string path) =>
        path.StartsWith(PathPrefix, StringComparison.Ordinal) &&
        (path.Length == PathPrefix.Length || PathPrefix[^1] == '/' || path[PathPrefix.Length] == '/');
}
