using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// Reads and checks the three identity files at one moment, the same way at start (where a problem stops the sidecar
/// with exit 2), on renewal (where it keeps the last good identity) and in <c>mesh check --config</c>: each problem is
/// one line naming the key, the file and the reason: unreadable, not PEM, a key that is not the certificate's, not yet
/// valid, expired, no SPIFFE ID, a CA certificate, or a chain the trust bundle does not sign.
/// </summary>
internal static class IdentityFiles
{
    private const string CertificateKey = IdentityOptions.SectionName + ":CertificateFile";
    private const string KeyKey = IdentityOptions.SectionName + ":KeyFile";
    private const string BundleKey = IdentityOptions.SectionName + ":TrustBundleFile";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaPublicKeyOid = "1.2.840.113549.1.1.1";

    /// <summary>The files' bytes as read, so a watcher can tell a rewrite that changed nothing.</summary>
    public sealed record Contents(byte[] Certificate, byte[] Key, byte[] TrustBundle)
    {
        public bool SameAs(Contents other) =>
            Certificate.AsSpan().SequenceEqual(other.Certificate) && Key.AsSpan().SequenceEqual(other.Key) && TrustBundle.AsSpan().SequenceEqual(other.TrustBundle);
    }

    /// <summary>Reads the files; null with one error per file that cannot be read.</summary>
    public static Contents? Read(IdentityOptions options, List<string> errors)
    {
        var certificate = ReadFile(CertificateKey, options.CertificateFile, errors);
        var key = ReadFile(KeyKey, options.KeyFile, errors);
        var bundle = ReadFile(BundleKey, options.TrustBundleFile, errors);
        return certificate is null || key is null || bundle is null ? null : new Contents(certificate, key, bundle);
    }

    /// <summary>Reads and checks the files; null with every problem found when they do not make a usable identity at <paramref name="now"/>.</summary>
    public static WorkloadIdentity? Load(IdentityOptions options, DateTimeOffset now, List<string> errors) =>
        Read(options, errors) is { } contents ? Load(options, contents, now, errors) : null;

    /// <summary>Checks files already read; null with every problem found.</summary>
    public static WorkloadIdentity? Load(IdentityOptions options, Contents contents, DateTimeOffset now, List<string> errors)
    {
        var certificates = Certificates(contents.Certificate);
        var bundle = Certificates(contents.TrustBundle);
        if (bundle.Count == 0)
        {
            errors.Add($"{BundleKey} {options.TrustBundleFile}: holds no PEM certificate (empty, cut short, or not PEM)");
        }

        if (certificates.Count == 0)
        {
            errors.Add($"{CertificateKey} {options.CertificateFile}: holds no PEM certificate (empty, cut short, or not PEM)");
            return null;
        }

        var leaf = certificates[0];
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++)
        {
            intermediates.Add(certificates[i]);
        }

        var withKey = WithKey(leaf, contents.Key, options, errors);
        var count = errors.Count;
        var certificate = $"{CertificateKey} {options.CertificateFile}";
        var id = SpiffeCertificate.IdOf(leaf, out var noId);
        if (id is null)
        {
            errors.Add($"{certificate}: {noId}");
        }

        if (leaf.Extensions.OfType<X509BasicConstraintsExtension>().Any(static b => b.CertificateAuthority))
        {
            errors.Add($"{certificate}: is a CA certificate; the workload's certificate must be a leaf");
        }

        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        if (now < notBefore)
        {
            errors.Add($"{certificate}: is not valid yet: its validity starts at {IdentityExpiry.Utc(notBefore)}");
        }
        else if (now >= notAfter)
        {
            errors.Add($"{certificate}: expired at {IdentityExpiry.Utc(notAfter)}");
        }
        else if (bundle.Count > 0 && PeerCertificates.Chain(leaf, intermediates, bundle, now) is { Length: > 0 } chain)
        {
            errors.Add($"{certificate}: is not signed by a CA in {BundleKey} ({chain})");
        }

        return withKey is null || id is null || errors.Count > count || bundle.Count == 0 ? null : new WorkloadIdentity(withKey, intermediates, bundle, id);
    }

    private static byte[]? ReadFile(string key, string path, List<string> errors)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            errors.Add($"{key} {path}: the file does not exist");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{key} {path}: cannot be read: {ex.Message}");
        }

        return null;
    }

    private static X509Certificate2Collection Certificates(byte[] pem)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(System.Text.Encoding.ASCII.GetString(pem));
        }
        catch (CryptographicException)
        {
            // A block labelled CERTIFICATE whose content is not one: the file is as good as empty.
            certificates.Clear();
        }

        return certificates;
    }

    // The certificate with its key; null, with the reason, when the key file holds no key of its type or another key.
    private static X509Certificate2? WithKey(X509Certificate2 leaf, byte[] keyPem, IdentityOptions options, List<string> errors)
    {
        var text = System.Text.Encoding.ASCII.GetString(keyPem);
        var algorithm = leaf.PublicKey.Oid.Value switch
        {
            EcPublicKeyOid => "ECDSA",
            RsaPublicKeyOid => "RSA",
            _ => null,
        };
        if (algorithm is null)
        {
            errors.Add($"{CertificateKey} {options.CertificateFile}: has a {leaf.PublicKey.Oid.FriendlyName ?? leaf.PublicKey.Oid.Value} key; Mesh takes ECDSA or RSA");
            return null;
        }

        var key = $"{KeyKey} {options.KeyFile}";
        try
        {
            if (algorithm == "ECDSA")
            {
                using var ec = ECDsa.Create();
                ec.ImportFromPem(text);
                return leaf.CopyWithPrivateKey(ec);
            }

            using var rsa = RSA.Create();
            rsa.ImportFromPem(text);
            return leaf.CopyWithPrivateKey(rsa);
        }
        catch (ArgumentException ex) when (ex.ParamName == "privateKey")
        {
            errors.Add($"{key}: is not the key of the certificate in {CertificateKey} ({options.CertificateFile})");
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            errors.Add($"{key}: holds no PEM private key of the certificate's type, {algorithm} (empty, cut short, or not PEM)");
        }

        return null;
    }
}
