namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>The values of <c>Mesh:Proxy:Inbound:Authorization:Default</c>.</summary>
public static class AuthorizationDefaults
{
    /// <summary>Any caller.</summary>
    public const string Allow = "Allow";

    /// <summary>A caller that proved a SPIFFE ID with mutual TLS.</summary>
    public const string Authenticated = "Authenticated";

    /// <summary>No caller.</summary>
    public const string Deny = "Deny";
}
