using System.Globalization;
using Mesh.Identity;

namespace Mesh.ProxyHost.Features.Authorization;

/// <summary>Checks <c>Mesh:Proxy:Inbound:Authorization</c>, collecting every error with its key.</summary>
internal static class AuthorizationOptionsValidator
{
    private const string Section = "Mesh:Proxy:Inbound:Authorization";

    public static void Validate(InboundAuthorizationOptions options, List<string> errors)
    {
        if (!AuthorizationPolicy.IsDefault(options.Default))
        {
            errors.Add($"{Section}:Default must be {AuthorizationDefaults.Allow}, {AuthorizationDefaults.Authenticated} or {AuthorizationDefaults.Deny}, was '{options.Default}'");
        }

        foreach (var (name, rule) in options.Rules)
        {
            var key = $"{Section}:Rules:{name}";
            if (string.IsNullOrEmpty(rule.PathPrefix) || rule.PathPrefix[0] != '/')
            {
                errors.Add($"{key}:PathPrefix must start with '/', was '{rule.PathPrefix}'");
            }

            if (rule.Port is < 0 or > 65535)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:Port must be in [0, 65535] (0: every port), was {rule.Port}"));
            }

            for (var i = 0; i < rule.Clients.Count; i++)
            {
                if (!SpiffeIdPattern.TryParse(rule.Clients[i], out _, out var reason))
                {
                    errors.Add($"{key}:Clients:{i} must be a SPIFFE ID (spiffe://<trust-domain>/<path>), a pattern of one with *, or * for any authenticated client, was '{rule.Clients[i]}': it {reason}");
                }
            }
        }
    }
}
