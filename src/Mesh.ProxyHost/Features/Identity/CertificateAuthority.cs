using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Identity;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// Makes SPIFFE certificates with .NET's own APIs (<see cref="CertificateRequest"/>), ECDSA P-256 throughout: a trust
/// anchor for a trust domain, and X.509-SVIDs it signs. For development and tests (<c>mesh identity</c>); production
/// identities come from cert-manager's csi-driver-spiffe or SPIRE.
/// </summary>
internal static class CertificateAuthority
{
    private const string SubjectAltNameOid = "2.5.29.17";

    // X.509-SVIDs serve both ends of mutual TLS.
    private static readonly OidCollection ServerAndClient = [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")];

    /// <summary>
    /// Makes a self-signed trust anchor for <paramref name="trustDomain"/>: a CA (no intermediates below it) whose URI
    /// SAN is the trust domain's SPIFFE ID, <c>spiffe://&lt;trust-domain&gt;</c>.
    /// </summary>
    public static X509Certificate2 CreateTrustAnchor(string trustDomain, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"O=Mesh, CN=Mesh trust anchor for {trustDomain}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(UriSan(SpiffeId.Prefix + trustDomain));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>Makes an X.509-SVID for <paramref name="spiffeId"/>, signed by <paramref name="issuer"/> (which holds its private key).</summary>
    public static X509Certificate2 Issue(X509Certificate2 issuer, string spiffeId, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (!SpiffeId.TryParse(spiffeId, out var id, out var reason))
        {
            throw new ArgumentException($"'{spiffeId}' is no SPIFFE ID: it {reason}", nameof(spiffeId));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("O=Mesh", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ServerAndClient, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(UriSan(id.Value));
        using var signed = request.Create(issuer, notBefore, notAfter, RandomSerial());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>Gets the certificate in PEM.</summary>
    public static string CertificatePem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>Gets the certificate's private key in PEM (PKCS#8).</summary>
    public static string KeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("Mesh: the certificate holds no ECDSA private key.");
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    // The SAN of a SPIFFE certificate: its one URI, written as given (System.Uri would add a '/' to a bare trust
    // domain's ID, which SPIFFE forbids); not critical, as the subject is not empty.
    private static X509Extension UriSan(string uri)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
        }

        return new X509Extension(SubjectAltNameOid, writer.Encode(), critical: false);
    }

    // 128 random bits, positive (RFC 5280: a positive integer of at most 20 octets).
    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }
}
