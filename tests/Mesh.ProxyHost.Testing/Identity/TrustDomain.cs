using System.Security.Cryptography.X509Certificates;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.ProxyHost.Testing.Identity;

/// <summary>
/// A trust domain made for a test with Mesh's own <see cref="CertificateAuthority"/> (what <c>mesh identity</c> runs): a
/// trust anchor, and workload certificates it signs with lifetimes the test chooses, written as PEM files where a
/// sidecar (or a test's TLS server) reads them.
/// </summary>
public sealed class TrustDomain : IDisposable
{
    private TrustDomain(string name, X509Certificate2 anchor, string folder)
    {
        Name = name;
        Anchor = anchor;
        Folder = folder;
        BundleFile = Path.Combine(folder, $"{name}-bundle.pem");
        File.WriteAllText(BundleFile, CertificateAuthority.CertificatePem(anchor));
    }

    public string Name { get; }

    public X509Certificate2 Anchor { get; }

    /// <summary>Gets the folder the files are written to (deleted with the trust domain).</summary>
    public string Folder { get; }

    /// <summary>Gets the file holding the trust anchor: the trust bundle.</summary>
    public string BundleFile { get; }

    /// <summary>Makes a trust domain whose anchor is valid for a day either side of now.</summary>
    public static TrustDomain Create(string name = "example.org", string? folder = null)
    {
        var now = DateTimeOffset.UtcNow;
        folder ??= Directory.CreateTempSubdirectory("mesh-identity-").FullName;
        return new TrustDomain(name, CertificateAuthority.CreateTrustAnchor(name, now.AddDays(-1), now.AddDays(1)), folder);
    }

    /// <summary>Makes a workload certificate for <c>spiffe://{Name}{path}</c> valid for <paramref name="lifetime"/> (1 hour) from now, or from <paramref name="notBefore"/>.</summary>
    public X509Certificate2 Issue(string path, TimeSpan? lifetime = null, DateTimeOffset? notBefore = null)
    {
        var start = notBefore ?? DateTimeOffset.UtcNow.AddSeconds(-5);
        return Issue(SpiffeIdOf(path), start, start + (lifetime ?? TimeSpan.FromHours(1)));
    }

    /// <summary>Makes a workload certificate for any SPIFFE ID (another trust domain's included) with the validity given.</summary>
    public X509Certificate2 Issue(string spiffeId, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        CertificateAuthority.Issue(Anchor, spiffeId, notBefore, notAfter);

    public string SpiffeIdOf(string path) => $"spiffe://{Name}{path}";

    /// <summary>Writes <paramref name="certificate"/> and its key as <c>{name}.crt</c> and <c>{name}.key</c>, returning the files.</summary>
    public WorkloadFiles Write(string name, X509Certificate2 certificate)
    {
        var files = new WorkloadFiles(Path.Combine(Folder, $"{name}.crt"), Path.Combine(Folder, $"{name}.key"), BundleFile);
        files.Write(certificate);
        return files;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
