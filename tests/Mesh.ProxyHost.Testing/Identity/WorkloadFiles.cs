using System.Security.Cryptography.X509Certificates;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.ProxyHost.Testing.Identity;

/// <summary>One workload's three identity files, as an identity system writes them, and the settings naming them.</summary>
public sealed record WorkloadFiles(string Certificate, string Key, string TrustBundle)
{
    /// <summary>Gets the command-line settings that give a sidecar this identity.</summary>
    public string[] Args =>
    [
        $"--Mesh:Identity:CertificateFile={Certificate}",
        $"--Mesh:Identity:KeyFile={Key}",
        $"--Mesh:Identity:TrustBundleFile={TrustBundle}",
    ];

    /// <summary>Writes a renewal: the key first, then the certificate (the order cert-manager's and SPIRE's helpers use does not matter to Mesh).</summary>
    public void Write(X509Certificate2 certificate)
    {
        File.WriteAllText(Key, CertificateAuthority.KeyPem(certificate));
        File.WriteAllText(Certificate, CertificateAuthority.CertificatePem(certificate));
    }
}
