using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Mesh.Identity;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// Reads the SPIFFE ID of an X.509-SVID: its one URI subject alternative name (.NET's own SAN extension type lists DNS
/// names and IP addresses only, so the extension is read as DER here).
/// </summary>
internal static class SpiffeCertificate
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>Gets the certificate's SPIFFE ID; null, with the reason, when it has none or more than one URI SAN.</summary>
    public static SpiffeId? IdOf(X509Certificate2 certificate, out string reason)
    {
        var uris = UrisOf(certificate);
        switch (uris.Count)
        {
            case 0:
                reason = "has no SPIFFE ID: an X.509-SVID names its workload in one URI SAN, spiffe://<trust-domain>/<path>";
                return null;
            case > 1:
                reason = $"has {uris.Count} URI SANs ({string.Join(", ", uris)}); an X.509-SVID has exactly one";
                return null;
        }

        if (!SpiffeId.TryParse(uris[0], out var id, out var why))
        {
            reason = $"has the URI SAN '{uris[0]}', which is no SPIFFE ID: it {why}";
            return null;
        }

        reason = "";
        return id;
    }

    private static List<string> UrisOf(X509Certificate2 certificate)
    {
        var uris = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (names.HasData)
                {
                    if (names.PeekTag() == UriTag)
                    {
                        uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                    }
                    else
                    {
                        names.ReadEncodedValue();
                    }
                }
            }
            catch (AsnContentException)
            {
                // A malformed extension names nothing usable; the caller says the certificate has no SPIFFE ID.
            }
        }

        return uris;
    }
}
