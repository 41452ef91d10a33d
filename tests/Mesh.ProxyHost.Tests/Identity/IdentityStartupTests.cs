using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Identity;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests.Identity;

/// <summary>
/// Identity files that make no usable identity stop the sidecar at start like an invalid value: exit code 2 and a line
/// naming the key, the file and the reason: missing, not PEM, a key that is not the certificate's, not yet valid,
/// expired, no SPIFFE ID, a CA certificate, a chain the trust bundle does not sign.
/// </summary>
public sealed class IdentityStartupTests : IDisposable
{
    private static readonly string[] FreePorts = SidecarProcess.FreePorts;

    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    private static IReadOnlyList<string> StartErrors(WorkloadFiles files, params string[] args) =>
        Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build([.. FreePorts, .. files.Args, .. args])).Errors;

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task AValidIdentity_Starts_AndConfigShowsIt()
    {
        var leaf = _domain.Issue("/ns/shop/sa/orders");
        var files = _domain.Write("orders", leaf);

        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), files.Args);

        var config = await sidecar.GetAdminAsync("/config");
        Assert.Contains("\"spiffe_id\": \"spiffe://example.org/ns/shop/sa/orders\"", config, StringComparison.Ordinal);
        Assert.Contains($"\"serial\": \"{leaf.SerialNumber}\"", config, StringComparison.Ordinal);
        Assert.Contains("\"state\": \"ok\"", config, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFiles_AreNamed_EachWithItsKey()
    {
        var files = new WorkloadFiles(Path.Combine(_domain.Folder, "none.crt"), Path.Combine(_domain.Folder, "none.key"), _domain.BundleFile);

        Assert.Equal(
        [
            $"Mesh:Identity:CertificateFile {files.Certificate}: the file does not exist",
            $"Mesh:Identity:KeyFile {files.Key}: the file does not exist",
        ], StartErrors(files));
    }

    [Fact]
    public void OnlySomeFilesSet_IsRefused()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build([.. FreePorts, $"--Mesh:Identity:CertificateFile={_domain.BundleFile}"]));

        Assert.Equal(
        [
            "Mesh:Identity:KeyFile must be set with the other identity files (CertificateFile, KeyFile, TrustBundleFile: the three make the identity), was empty",
            "Mesh:Identity:TrustBundleFile must be set with the other identity files (CertificateFile, KeyFile, TrustBundleFile: the three make the identity), was empty",
        ], error.Errors);
    }

    [Fact]
    public void AKeyThatIsNotTheCertificates_IsRefused()
    {
        var files = _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders"));
        File.Copy(_domain.Write("other", _domain.Issue("/ns/shop/sa/other")).Key, files.Key, overwrite: true);

        Assert.Equal([$"Mesh:Identity:KeyFile {files.Key}: is not the key of the certificate in Mesh:Identity:CertificateFile ({files.Certificate})"], StartErrors(files));
    }

    [Fact]
    public void ACertificateCutShort_IsNotPem()
    {
        var files = _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders"));
        var text = File.ReadAllText(files.Certificate);
        File.WriteAllText(files.Certificate, text[..(text.Length / 2)]);

        Assert.Equal([$"Mesh:Identity:CertificateFile {files.Certificate}: holds no PEM certificate (empty, cut short, or not PEM)"], StartErrors(files));
    }

    [Fact]
    public void ANotYetValidCertificate_IsRefused()
    {
        var start = DateTimeOffset.UtcNow.AddHours(2);
        var files = _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders", TimeSpan.FromHours(1), start));

        Assert.Equal([$"Mesh:Identity:CertificateFile {files.Certificate}: is not valid yet: its validity starts at {Utc(start)}"], StartErrors(files));
    }

    [Fact]
    public void AnExpiredCertificate_IsRefused()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var files = _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders", TimeSpan.FromHours(1), start));

        Assert.Equal([$"Mesh:Identity:CertificateFile {files.Certificate}: expired at {Utc(start.AddHours(1))}"], StartErrors(files));
    }

    [Fact]
    public void ACertificateWithoutASpiffeId_IsRefused()
    {
        // A certificate the anchor signed for a DNS name only, as a web server's would be.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=orders.example.org", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("orders.example.org");
        request.CertificateExtensions.Add(san.Build());
        using var signed = request.Create(_domain.Anchor, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), [1, 2, 3, 4]);
        var files = _domain.Write("orders", signed.CopyWithPrivateKey(key));

        Assert.Equal([$"Mesh:Identity:CertificateFile {files.Certificate}: has no SPIFFE ID: an X.509-SVID names its workload in one URI SAN, spiffe://<trust-domain>/<path>"], StartErrors(files));
    }

    [Fact]
    public void TheTrustAnchorAsTheWorkloadsCertificate_IsRefused()
    {
        var files = _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders"));
        File.WriteAllText(files.Certificate, CertificateAuthority.CertificatePem(_domain.Anchor));

        var errors = StartErrors(files);

        Assert.Contains($"Mesh:Identity:KeyFile {files.Key}: is not the key of the certificate in Mesh:Identity:CertificateFile ({files.Certificate})", errors);
        Assert.Contains($"Mesh:Identity:CertificateFile {files.Certificate}: is a CA certificate; the workload's certificate must be a leaf", errors);
    }

    [Fact]
    public void ACertificateSignedByAnotherTrustDomain_IsRefused()
    {
        using var other = TrustDomain.Create("other.org");
        var files = other.Write("orders", other.Issue("/ns/shop/sa/orders")) with { TrustBundle = _domain.BundleFile };

        var error = Assert.Single(StartErrors(files));
        Assert.StartsWith($"Mesh:Identity:CertificateFile {files.Certificate}: is not signed by a CA in Mesh:Identity:TrustBundleFile (", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBinary_ExitsWith2_OnAnExpiredCertificate_NoStackTrace()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var files = _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders", TimeSpan.FromHours(1), start));

        var result = await SidecarProcess.RunAsync([.. FreePorts, .. files.Args]);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}; stderr: {result.Stderr}");
        Assert.Contains($"  Mesh:Identity:CertificateFile {files.Certificate}: expired at {Utc(start.AddHours(1))}\n", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}
