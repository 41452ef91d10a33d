using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mesh.Cli.Options;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.Cli.Commands.Identity;

/// <summary>
/// The folder <c>mesh identity</c> works in (<c>--dir</c>): the trust anchor as <c>ca.crt</c> and <c>ca.key</c>, each
/// workload as <c>{name}.crt</c> and <c>{name}.key</c>. Keys are written readable by their owner only, and every file
/// through a temporary one renamed over it, so a watching sidecar never reads one half written.
/// </summary>
internal sealed class IdentityFolder(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string AnchorCertificate => File("ca.crt");

    public string AnchorKey => File("ca.key");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Reads the trust anchor with its key; <see cref="IdentityException"/> when it is missing or unreadable.</summary>
    public X509Certificate2 ReadAnchor()
    {
        if (!System.IO.File.Exists(AnchorCertificate) || !System.IO.File.Exists(AnchorKey))
        {
            throw new IdentityException($"{AnchorCertificate} and {AnchorKey} are needed: make them with mesh identity init --trust-domain <domain> --dir {Path}");
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(AnchorCertificate, AnchorKey);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new IdentityException($"{AnchorCertificate} with {AnchorKey}: not a trust anchor and its key ({ex.Message.TrimEnd('.')})");
        }
    }

    /// <summary>Writes <paramref name="certificate"/> and its key, and reports them (a line, or JSON).</summary>
    public async Task WriteAsync(CommandContext context, X509Certificate2 certificate, string certificateFile, string keyFile, string spiffeId)
    {
        try
        {
            Directory.CreateDirectory(Path);
            Replace(keyFile, CertificateAuthority.KeyPem(certificate), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Replace(certificateFile, CertificateAuthority.CertificatePem(certificate), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IdentityException($"cannot write to {Path}: {ex.Message}");
        }

        var report = new IdentityReport(spiffeId, certificateFile, keyFile, AnchorCertificate, certificate.SerialNumber, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
        if (context.Output == OutputFormat.Json)
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(report, CliJsonContext.Default.IdentityReport));
            return;
        }

        await context.Out.WriteLineAsync($"ok: {spiffeId}: {certificateFile} (key {keyFile}), serial {report.Serial}, valid until {IdentityExpiry.Utc(report.NotAfter)}");
    }

    private static void Replace(string file, string content, UnixFileMode mode)
    {
        var temporary = $"{file}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        System.IO.File.Move(temporary, file, overwrite: true);
    }
}
