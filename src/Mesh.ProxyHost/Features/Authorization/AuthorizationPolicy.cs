using Mesh.Identity;

namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>
/// The inbound authorization rules of one configuration, compiled: immutable, swapped whole on reload. The rules are
/// kept most specific first (the longest path prefix; then one for a port before one for every port; then by name), so
/// the first that covers a request is the one that decides it; a request none covers gets the default.
/// </summary>
internal sealed class AuthorizationPolicy
{
    private readonly AuthorizationRule[] _rules;
    private readonly DefaultDecision _default;

    private AuthorizationPolicy(AuthorizationRule[] rules, DefaultDecision @default)
    {
        _rules = rules;
        _default = @default;
    }

    private enum DefaultDecision
    {
        Allow,
        Authenticated,
        Deny,
    }

    /// <summary>Gets whether the policy allows every caller everywhere (no rules, default <c>Allow</c>): nothing to decide.</summary>
    public bool IsOpen => _rules.Length == 0 && _default == DefaultDecision.Allow;

    /// <summary>Compiles <paramref name="options"/> (already validated).</summary>
    public static AuthorizationPolicy From(InboundAuthorizationOptions options)
    {
        var rules = options.Rules
            .Select(static r => new AuthorizationRule(
                r.Key,
                r.Value.PathPrefix,
                r.Value.Port,
                [.. r.Value.Clients.Select(static c => SpiffeIdPattern.TryParse(c, out var p, out _) ? p : throw new InvalidOperationException($"Mesh: unvalidated client pattern '{c}'."))],
                r.Value.AllowUnauthenticated))
            .OrderByDescending(static r => r.PathPrefix.Length)
            .ThenByDescending(static r => r.Port != 0)
            .ThenBy(static r => r.Name, StringComparer.Ordinal)
            .ToArray();
        return new AuthorizationPolicy(rules, ParseDefault(options.Default) ?? DefaultDecision.Allow);
    }

    /// <summary>Gets whether <paramref name="value"/> is a valid <c>Default</c> (case ignored).</summary>
    public static bool IsDefault(string? value) => ParseDefault(value) is not null;

    /// <summary>Decides a request to <paramref name="path"/> on <paramref name="localPort"/> by a caller that proved <paramref name="clientId"/> (null: none).</summary>
    public AuthorizationDecision Decide(int localPort, string path, string? clientId)
    {
        foreach (var rule in _rules)
        {
            if (rule.Covers(localPort, path))
            {
                return new AuthorizationDecision(rule.Allows(clientId), rule.Name);
            }
        }

        var allowed = _default == DefaultDecision.Allow || (_default == DefaultDecision.Authenticated && clientId is not null);
        return new AuthorizationDecision(allowed, AuthorizationDecision.DefaultRule);
    }

    private static DefaultDecision? ParseDefault(string? value) => value?.ToUpperInvariant() switch
    {
        "ALLOW" => DefaultDecision.Allow,
        "AUTHENTICATED" => DefaultDecision.Authenticated,
        "DENY" => DefaultDecision.Deny,
        _ => null,
    };
}
