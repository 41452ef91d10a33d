using Mesh.Identity;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>Checks the <c>Mesh:Identity</c> settings (not the files' content: <see cref="IdentityFiles"/> reads that at start).</summary>
internal static class IdentityOptionsValidator
{
    public static void Validate(IdentityOptions options, List<string> errors)
    {
        if (options.IsConfigured)
        {
            Require("CertificateFile", options.CertificateFile, errors);
            Require("KeyFile", options.KeyFile, errors);
            Require("TrustBundleFile", options.TrustBundleFile, errors);
        }

        var fallback = options.DefaultServiceIdentity;
        if (ServiceIdentity.CheckDefault(fallback) is { Length: > 0 } reason)
        {
            errors.Add($"{IdentityOptions.SectionName}:DefaultServiceIdentity {reason}");
        }
        else if (ServiceIdentity.Resolve(null, fallback, "service") is not null)
        {
            RequireIdentity($"{IdentityOptions.SectionName}:DefaultServiceIdentity", options, errors);
        }
    }

    /// <summary>Adds an error when <paramref name="key"/>, which asks for mutual TLS, is set while the sidecar has no identity to present.</summary>
    public static void RequireIdentity(string key, IdentityOptions options, List<string> errors)
    {
        if (!options.IsConfigured)
        {
            errors.Add($"{key} needs the sidecar's own identity to present: set {IdentityOptions.SectionName}:CertificateFile, KeyFile and TrustBundleFile");
        }
    }

    private static void Require(string name, string value, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{IdentityOptions.SectionName}:{name} must be set with the other identity files (CertificateFile, KeyFile, TrustBundleFile: the three make the identity), was empty");
        }
    }
}
