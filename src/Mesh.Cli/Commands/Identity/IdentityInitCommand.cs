using Mesh.Cli.Options;
using Mesh.Identity;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.Cli.Commands.Identity;

/// <summary>
/// <c>mesh identity init --trust-domain example.org</c>: a trust anchor (ECDSA P-256, self-signed, a CA that signs
/// workload certificates directly) as <c>ca.crt</c> and <c>ca.key</c> in <c>--dir</c>. An anchor already there is
/// kept unless <c>--force</c>: replacing it would orphan every certificate it signed.
/// </summary>
internal sealed class IdentityInitCommand : MeshCommand
{
    private readonly IdentityCommandOptions _options = new();

    public IdentityInitCommand(GlobalOptions global)
        : base("init", "Make a trust anchor for a trust domain: ca.crt and ca.key in --dir.", global)
    {
        Options.Add(_options.TrustDomain);
        Options.Add(_options.Dir);
        Options.Add(_options.Ttl);
        Options.Add(_options.Force);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var folder = _options.FolderOf(context);
        var trustDomain = context.Value(_options.TrustDomain)!;
        if (File.Exists(folder.AnchorKey) && !context.Value(_options.Force))
        {
            throw new IdentityException($"{folder.AnchorKey} exists: a new trust anchor would orphan every certificate the old one signed (--force replaces it)");
        }

        var now = TimeProvider.System.GetUtcNow();
        using var anchor = CertificateAuthority.CreateTrustAnchor(trustDomain, now - IdentityCommandOptions.Backdate, now + (context.Value(_options.Ttl) ?? IdentityCommandOptions.AnchorLifetime));
        await folder.WriteAsync(context, anchor, folder.AnchorCertificate, folder.AnchorKey, SpiffeId.Prefix + trustDomain);
        return ExitCodes.Ok;
    }
}
