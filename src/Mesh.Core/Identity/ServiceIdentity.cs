namespace Mesh.Identity;

/// <summary>
/// What <c>Mesh:Services:{service}:Identity</c> may say: a SPIFFE ID or pattern (<see cref="SpiffeIdPattern"/>) the
/// service's endpoints must prove with a certificate (the sidecar then calls them over mutual TLS), <see cref="None"/>
/// (plaintext, whatever the default), or nothing (the sidecar's <c>Mesh:Identity:DefaultServiceIdentity</c>, in which
/// <see cref="ServicePlaceholder"/> stands for the service's name).
/// </summary>
internal static class ServiceIdentity
{
    /// <summary>The value that keeps a service in plaintext when a default identity is set.</summary>
    public const string None = "none";

    /// <summary>The placeholder a default identity may hold for the service's name.</summary>
    public const string ServicePlaceholder = "{service}";

    /// <summary>Gets the reason <paramref name="value"/> is not a valid setting of a service; empty when it is.</summary>
    public static string Check(string? value) => Check(value, value);

    /// <summary>Gets the reason <paramref name="value"/> is not a valid default identity (which may hold <see cref="ServicePlaceholder"/>); empty when it is.</summary>
    public static string CheckDefault(string? value) =>
        Check(value, value?.Replace(ServicePlaceholder, "service", StringComparison.OrdinalIgnoreCase));

    private static string Check(string? value, string? pattern)
    {
        if (string.IsNullOrEmpty(value) || value.Equals(None, StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        return SpiffeIdPattern.TryParse(pattern, out _, out var reason)
            ? ""
            : $"must be a SPIFFE ID (spiffe://<trust-domain>/<path>), a pattern of one with * or '{None}', was '{value}': it {reason}";
    }

    /// <summary>
    /// Gets the identity the service's endpoints must prove: its own setting, else the default with its name in place of
    /// <see cref="ServicePlaceholder"/>; null when the service is called in plaintext.
    /// </summary>
    public static string? Resolve(string? configured, string? defaultIdentity, string service)
    {
        var value = string.IsNullOrEmpty(configured) ? defaultIdentity : configured;
        if (string.IsNullOrEmpty(value) || value.Equals(None, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return value.Replace(ServicePlaceholder, service, StringComparison.OrdinalIgnoreCase);
    }
}
