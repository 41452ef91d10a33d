namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>
/// Which callers the inbound listener lets through to the application, under <c>Mesh:Proxy:Inbound:Authorization</c>:
/// rules, each for a path prefix and/or a port, naming the client identities it allows; the most specific rule that
/// covers a request decides, <see cref="Default"/> decides the rest. A denied HTTP request is answered 403
/// <c>mesh-proxy-error: unauthorized</c> (gRPC: PERMISSION_DENIED) and never reaches the application. Hot-reloaded.
/// </summary>
public sealed class InboundAuthorizationOptions
{
    /// <summary>
    /// Gets or sets what happens to a request no rule covers: <c>Allow</c> (any caller, the default, so adopting Mesh
    /// breaks nothing, as Linkerd's <c>all-unauthenticated</c>), <c>Authenticated</c> (a caller that proved a SPIFFE ID
    /// with mutual TLS) or <c>Deny</c>.
    /// </summary>
    public string Default { get; set; } = AuthorizationDefaults.Allow;

    /// <summary>Gets the rules, by name (the name is what metrics and logs call the rule). Default: none.</summary>
    public Dictionary<string, AuthorizationRuleOptions> Rules { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One authorization rule: what it covers (a path prefix, a port) and whom it allows.</summary>
public sealed class AuthorizationRuleOptions
{
    /// <summary>
    /// Gets or sets the paths it covers: this prefix, matched by whole segments (<c>/admin</c> covers <c>/admin</c> and
    /// <c>/admin/users</c>, not <c>/administrator</c>). Default: <c>/</c>, every path.
    /// </summary>
    public string PathPrefix { get; set; } = "/";

    /// <summary>Gets or sets the inbound port it covers; 0 (the default) for every port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Gets the client identities it allows: SPIFFE IDs, or patterns of them with <c>*</c> (within a segment; at the end,
    /// the rest of the ID; <c>*</c> alone: any authenticated client). Default: none.
    /// </summary>
    public List<string> Clients { get; set; } = [];

    /// <summary>Gets or sets whether callers that proved no identity (plaintext, or TLS without a certificate) are allowed. Default: false.</summary>
    public bool AllowUnauthenticated { get; set; }
}
