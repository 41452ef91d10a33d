using Mesh.Identity;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// The identity one service's endpoints must prove now: the service's own <c>Identity</c>, else
/// <c>Mesh:Identity:DefaultServiceIdentity</c> with the service's name in it; null when the service is called in
/// plaintext. Worked out again only when a reload changed either (two reference comparisons per request otherwise).
/// </summary>
internal sealed class ServiceIdentityResolver(MeshService service, DefaultServiceIdentity defaults)
{
    private Resolved _last = new(null, null, null);

    /// <summary>Gets the pattern the service's endpoints must match; null for plaintext.</summary>
    public SpiffeIdPattern? Expected
    {
        get
        {
            var policy = service.Policy;
            var fallback = defaults.Value;
            var last = _last;
            if (ReferenceEquals(last.Policy, policy) && ReferenceEquals(last.Default, fallback))
            {
                return last.Pattern;
            }

            // Validated with the configuration that holds it, so it parses.
            var text = ServiceIdentity.Resolve(policy.Options.Identity, fallback, service.Name);
            var pattern = text is not null && SpiffeIdPattern.TryParse(text, out var parsed, out _) ? parsed : null;
            _last = new Resolved(policy, fallback, pattern);
            return pattern;
        }
    }

    private sealed record Resolved(MeshServicePolicy? Policy, string? Default, SpiffeIdPattern? Pattern);
}
