using System.Text.Json.Serialization;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.ProxyHost.Features.Admin;

/// <summary>The sidecar's identity as <c>/config</c> shows it (and <c>mesh check</c> and the dashboard read it).</summary>
/// <param name="SpiffeId">The workload's SPIFFE ID.</param>
/// <param name="Serial">The certificate's serial number (hex): it changes with each renewal.</param>
/// <param name="NotBefore">The start of the certificate's validity.</param>
/// <param name="NotAfter">Its expiry.</param>
/// <param name="ExpiresInSeconds">Seconds until it expires; negative once it has.</param>
/// <param name="State"><c>ok</c>, <c>expiring</c> (under 20 % of its lifetime left) or <c>expired</c>.</param>
/// <param name="Warning">What to do about it, when it is expiring or expired.</param>
/// <param name="TrustAnchors">The subjects of the trust bundle's CA certificates.</param>
/// <param name="Files">The files it is read from.</param>
/// <param name="Reload">How the last reading of the files went (a rejected one names each problem).</param>
internal sealed record IdentityDocument(
    string SpiffeId,
    string Serial,
    [property: JsonConverter(typeof(RoundTripTimeConverter))] DateTimeOffset NotBefore,
    [property: JsonConverter(typeof(RoundTripTimeConverter))] DateTimeOffset NotAfter,
    double ExpiresInSeconds,
    string State,
    string? Warning,
    IReadOnlyList<string> TrustAnchors,
    IdentityFilesDocument Files,
    IdentityReload Reload)
{
    public static IdentityDocument Of(IdentitySource source, IdentityOptions options)
    {
        var identity = source.Current;
        var expiry = source.Expiry;
        return new IdentityDocument(
            identity.Id.Value,
            identity.Serial,
            identity.NotBefore,
            identity.NotAfter,
            Math.Round(expiry.SecondsLeft, 3),
            expiry.State,
            expiry.Warning,
            [.. identity.TrustBundle.Select(static c => c.Subject)],
            new IdentityFilesDocument(options.CertificateFile, options.KeyFile, options.TrustBundleFile),
            source.Status);
    }
}

/// <summary>The identity's files.</summary>
internal sealed record IdentityFilesDocument(string Certificate, string Key, string TrustBundle);
