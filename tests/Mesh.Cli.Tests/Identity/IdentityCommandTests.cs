using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure;
using Mesh.MultiHost.Tests.Infrastructure;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.Cli.Tests.Identity;

/// <summary>
/// <c>mesh identity init</c> and <c>issue</c> make what the sidecar takes (its own check of the files passes) and what
/// others read as SPIFFE certificates (openssl verifies the chain and shows the URI SAN); mistakes are usage errors
/// (exit 2) or identity errors (exit 6), one line each.
/// </summary>
public sealed class IdentityCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-cli-identity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task InitThenIssue_MakeFilesTheSidecarTakes_WithTheLifetimeAsked()
    {
        var init = await CliRunner.RunAsync("identity", "init", "--trust-domain", "example.org", "--dir", _dir);
        Assert.True(init.ExitCode == 0, init.Error);
        Assert.StartsWith($"ok: spiffe://example.org: {File("ca.crt")} (key {File("ca.key")}), serial ", init.Out, StringComparison.Ordinal);

        var issue = await CliRunner.RunAsync("identity", "issue", "--id", "spiffe://example.org/ns/shop/sa/orders", "--ttl", "24h", "--dir", _dir, "-o", "json");
        Assert.True(issue.ExitCode == 0, issue.Error);
        using var report = JsonDocument.Parse(issue.Out);
        Assert.Equal(File("orders.crt"), report.RootElement.GetProperty("certificate_file").GetString());
        Assert.Equal(File("orders.key"), report.RootElement.GetProperty("key_file").GetString());
        Assert.Equal(File("ca.crt"), report.RootElement.GetProperty("trust_bundle_file").GetString());

        // What the sidecar checks at start, passed: the ID, the key, the chain to ca.crt.
        var errors = new List<string>();
        var identity = IdentityFiles.Load(new IdentityOptions { CertificateFile = File("orders.crt"), KeyFile = File("orders.key"), TrustBundleFile = File("ca.crt") }, DateTimeOffset.UtcNow, errors);
        Assert.True(identity is not null, string.Join("; ", errors));
        Assert.Equal("spiffe://example.org/ns/shop/sa/orders", identity.Id.Value);
        Assert.Equal(report.RootElement.GetProperty("serial").GetString(), identity.Serial);

        // 24 h from now, started a minute early for peers whose clocks lag; ECDSA P-256.
        Assert.InRange(identity.NotAfter - identity.NotBefore, TimeSpan.FromHours(24) + TimeSpan.FromSeconds(58), TimeSpan.FromHours(24) + TimeSpan.FromSeconds(62));
        using var key = identity.Certificate.GetECDsaPublicKey()!;
        Assert.Equal(256, key.KeySize);

        // The keys are for their owner only.
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(File("orders.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(File("ca.key")));
        }
    }

    [Fact]
    public async Task OpenSsl_VerifiesTheChain_AndReadsTheSpiffeId()
    {
        Assert.Equal(0, (await CliRunner.RunAsync("identity", "init", "--trust-domain", "example.org", "--dir", _dir)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("identity", "issue", "--id", "spiffe://example.org/ns/shop/sa/web", "--dir", _dir)).ExitCode);

        var verify = await Shell.RunAsync("openssl", ["verify", "-CAfile", File("ca.crt"), File("web.crt")]);
        Assert.True(verify.Ok, verify.Error);
        Assert.Equal($"{File("web.crt")}: OK", verify.Output.Trim());

        var text = await Shell.RunAsync("openssl", ["x509", "-in", File("web.crt"), "-noout", "-text"]);
        Assert.Contains("URI:spiffe://example.org/ns/shop/sa/web", text.Output, StringComparison.Ordinal);
        Assert.Contains("CA:FALSE", text.Output, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text.Output, StringComparison.Ordinal);
        Assert.Contains("ASN1 OID: prime256v1", text.Output, StringComparison.Ordinal);

        // The key file is one openssl reads, and it is the certificate's.
        var keyPublic = await Shell.RunAsync("openssl", ["pkey", "-in", File("web.key"), "-pubout"]);
        var certPublic = await Shell.RunAsync("openssl", ["x509", "-in", File("web.crt"), "-noout", "-pubkey"]);
        Assert.Equal(certPublic.Output, keyPublic.Output);
    }

    [Fact]
    public async Task IssuingAgain_RenewsInPlace_WithANewSerial()
    {
        await CliRunner.RunAsync("identity", "init", "--trust-domain", "example.org", "--dir", _dir);
        await CliRunner.RunAsync("identity", "issue", "--id", "spiffe://example.org/a", "--name", "svc", "--dir", _dir);
        var first = X509CertificateLoader.LoadCertificateFromFile(File("svc.crt")).SerialNumber;

        Assert.Equal(0, (await CliRunner.RunAsync("identity", "issue", "--id", "spiffe://example.org/a", "--name", "svc", "--dir", _dir)).ExitCode);

        Assert.NotEqual(first, X509CertificateLoader.LoadCertificateFromFile(File("svc.crt")).SerialNumber);
        Assert.Equal(["ca.crt", "ca.key", "svc.crt", "svc.key"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task InitOverAnExistingAnchor_IsRefused_UnlessForced()
    {
        await CliRunner.RunAsync("identity", "init", "--trust-domain", "example.org", "--dir", _dir);
        var anchor = System.IO.File.ReadAllText(File("ca.crt"));

        var again = await CliRunner.RunAsync("identity", "init", "--trust-domain", "example.org", "--dir", _dir);

        Assert.Equal(6, again.ExitCode);
        Assert.Equal($"mesh identity init: {File("ca.key")} exists: a new trust anchor would orphan every certificate the old one signed (--force replaces it)", again.Error.Trim());
        Assert.Equal(anchor, System.IO.File.ReadAllText(File("ca.crt")));
        Assert.Equal(0, (await CliRunner.RunAsync("identity", "init", "--trust-domain", "example.org", "--dir", _dir, "--force")).ExitCode);
        Assert.NotEqual(anchor, System.IO.File.ReadAllText(File("ca.crt")));
    }

    [Fact]
    public async Task Issue_RefusesAnotherTrustDomain_ALifetimePastTheAnchors_AndNoAnchor()
    {
        var none = await CliRunner.RunAsync("identity", "issue", "--id", "spiffe://example.org/a", "--dir", _dir);
        Assert.Equal(6, none.ExitCode);
        Assert.Equal($"mesh identity issue: {File("ca.crt")} and {File("ca.key")} are needed: make them with mesh identity init --trust-domain <domain> --dir {_dir}", none.Error.Trim());

        await CliRunner.RunAsync("identity", "init", "--trust-domain", "example.org", "--ttl", "10d", "--dir", _dir);
        var other = await CliRunner.RunAsync("identity", "issue", "--id", "spiffe://other.org/a", "--dir", _dir);
        Assert.Equal(6, other.ExitCode);
        Assert.Equal($"mesh identity issue: --id spiffe://other.org/a is not in the trust domain of {File("ca.crt")} (example.org)", other.Error.Trim());

        var tooLong = await CliRunner.RunAsync("identity", "issue", "--id", "spiffe://example.org/a", "--ttl", "30d", "--dir", _dir);
        Assert.Equal(6, tooLong.ExitCode);
        Assert.StartsWith("mesh identity issue: --ttl runs past the trust anchor's own expiry (", tooLong.Error.Trim(), StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(File("a.crt")));
    }

    [Theory]
    [InlineData(new[] { "identity", "issue", "--id", "spiffe://example.org/a/", "--dir", "." }, "mesh: --id must be a SPIFFE ID, spiffe://<trust-domain>/<path>, was 'spiffe://example.org/a/': it has an empty path segment (no '//' and no trailing '/')")]
    [InlineData(new[] { "identity", "issue", "--id", "spiffe://example.org/a", "--ttl", "soon" }, "mesh: --ttl must be a duration such as 500ms, 10s or 1m (greater than zero), was 'soon'")]
    [InlineData(new[] { "identity", "init", "--trust-domain", "Example.org" }, "mesh: --trust-domain must be a trust domain of lowercase letters, digits, '.', '-' and '_', was 'Example.org': has 'E' in its trust domain (only lowercase letters, digits, '.', '-' and '_' are allowed)")]
    [InlineData(new[] { "identity", "init" }, "mesh: Option '--trust-domain' is required")]
    public async Task Mistakes_AreUsageErrors_NamingTheOption(string[] args, string line)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(line, result.Error.Split('\n')[0].Trim());
    }
}
