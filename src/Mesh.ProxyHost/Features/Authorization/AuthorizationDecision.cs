namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>What authorization said about one request, and which rule said it (<c>default</c> when none covered it).</summary>
internal readonly record struct AuthorizationDecision(bool Allowed, string Rule)
{
    public const string DefaultRule = "default";
}
