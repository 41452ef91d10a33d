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

    /// <summary>
    /// Lays the files out as kubelet and cert-manager's csi-lib write a volume: in <paramref name="folder"/>, the files are
    /// symlinks through <c>..data</c> to a timestamped folder holding the real ones, and a renewal writes a new folder and
    /// swaps the <c>..data</c> symlink to it in one rename.
    /// </summary>
    public static WorkloadFiles Projected(string folder, string bundle, X509Certificate2 certificate)
    {
        Directory.CreateDirectory(folder);
        var files = new WorkloadFiles(Path.Combine(folder, "tls.crt"), Path.Combine(folder, "tls.key"), Path.Combine(folder, "ca.crt"));
        files.Project(bundle, certificate);
        foreach (var name in new[] { "tls.crt", "tls.key", "ca.crt" })
        {
            File.CreateSymbolicLink(Path.Combine(folder, name), Path.Combine("..data", name));
        }

        return files;
    }

    /// <summary>A renewal of <see cref="Projected"/> files: a new timestamped folder, then <c>..data</c> swapped to it atomically.</summary>
    public void Project(string bundle, X509Certificate2 certificate)
    {
        var folder = Path.GetDirectoryName(Certificate)!;
        var version = $"..{Guid.NewGuid():N}";
        var target = Directory.CreateDirectory(Path.Combine(folder, version)).FullName;
        File.WriteAllText(Path.Combine(target, "tls.key"), CertificateAuthority.KeyPem(certificate));
        File.WriteAllText(Path.Combine(target, "tls.crt"), CertificateAuthority.CertificatePem(certificate));
        File.Copy(bundle, Path.Combine(target, "ca.crt"));
        var temporary = Path.Combine(folder, "..data_tmp");
        File.CreateSymbolicLink(temporary, version);

        // rename(2) of the link over the old one, as kubelet does (.NET's moves follow a link to a folder).
        using var rename = System.Diagnostics.Process.Start("mv", ["-T", temporary, Path.Combine(folder, "..data")])!;
        rename.WaitForExit();
        if (rename.ExitCode != 0)
        {
            throw new IOException($"mv -T {temporary} ..data failed ({rename.ExitCode})");
        }
    }

    /// <summary>Writes a renewal: the key first, then the certificate (the order cert-manager's and SPIRE's helpers use does not matter to Mesh).</summary>
    public void Write(X509Certificate2 certificate)
    {
        File.WriteAllText(Key, CertificateAuthority.KeyPem(certificate));
        File.WriteAllText(Certificate, CertificateAuthority.CertificatePem(certificate));
    }
}
