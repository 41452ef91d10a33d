namespace Mesh.Cli.Commands.Identity;

/// <summary>What <c>mesh identity init|issue --output json</c> prints: the certificate made and where it was written.</summary>
/// <param name="SpiffeId">Its SPIFFE ID (the trust domain's own, <c>spiffe://example.org</c>, for a trust anchor).</param>
/// <param name="CertificateFile">The certificate's file.</param>
/// <param name="KeyFile">Its private key's file (readable by its owner only).</param>
/// <param name="TrustBundleFile">The trust anchor's file, which is the trust bundle peers are checked against.</param>
/// <param name="Serial">The serial number (hex).</param>
/// <param name="NotBefore">The start of its validity.</param>
/// <param name="NotAfter">Its expiry.</param>
internal sealed record IdentityReport(string SpiffeId, string CertificateFile, string KeyFile, string TrustBundleFile, string Serial, DateTimeOffset NotBefore, DateTimeOffset NotAfter);
