using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Identity;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// One loaded, checked identity: the workload's certificate with its key and intermediates (ready to present in a
/// handshake), its SPIFFE ID, and the trust bundle peers are checked against. Immutable: a renewal is a new instance,
/// swapped in whole, so a handshake never sees a certificate from one renewal and a bundle from another.
/// </summary>
internal sealed class WorkloadIdentity
{
    public WorkloadIdentity(X509Certificate2 certificate, X509Certificate2Collection intermediates, X509Certificate2Collection trustBundle, SpiffeId id)
    {
        Certificate = certificate;
        Intermediates = intermediates;
        TrustBundle = trustBundle;
        Id = id;
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        CertificateContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    /// <summary>Gets the workload's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Gets the CA certificates that followed it in its file, sent with it in handshakes.</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>Gets the CA certificates a peer's certificate must chain to.</summary>
    public X509Certificate2Collection TrustBundle { get; }

    /// <summary>Gets the workload's SPIFFE ID.</summary>
    public SpiffeId Id { get; }

    /// <summary>Gets the certificate with its chain, as handshakes present it.</summary>
    public SslStreamCertificateContext CertificateContext { get; }

    /// <summary>Gets the certificate's serial number (hex), which changes with each renewal.</summary>
    public string Serial => Certificate.SerialNumber;

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>Whether <paramref name="other"/> holds the same certificate and bundle (a file rewritten with the same content).</summary>
    public bool SameAs(WorkloadIdentity other) =>
        Certificate.RawDataMemory.Span.SequenceEqual(other.Certificate.RawDataMemory.Span) && SameBundle(other.TrustBundle);

    private bool SameBundle(X509Certificate2Collection other)
    {
        if (other.Count != TrustBundle.Count)
        {
            return false;
        }

        for (var i = 0; i < other.Count; i++)
        {
            if (!other[i].RawDataMemory.Span.SequenceEqual(TrustBundle[i].RawDataMemory.Span))
            {
                return false;
            }
        }

        return true;
    }
}
