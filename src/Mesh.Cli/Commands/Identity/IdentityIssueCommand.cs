using Mesh.Cli.Options;
using Mesh.Identity;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.Cli.Commands.Identity;

/// <summary>
/// <c>mesh identity issue --id spiffe://example.org/ns/shop/sa/orders --ttl 24h</c>: a workload certificate (an
/// X.509-SVID, ECDSA P-256) signed by the trust anchor in <c>--dir</c>, written as <c>{name}.crt</c> and
/// <c>{name}.key</c> beside it (<c>--name</c>, by default the ID's last path segment). Issuing again renews it in place,
/// which a running sidecar picks up.
/// </summary>
internal sealed class IdentityIssueCommand : MeshCommand
{
    private readonly IdentityCommandOptions _options = new();

    public IdentityIssueCommand(GlobalOptions global)
        : base("issue", "Make a workload certificate for a SPIFFE ID, signed by the trust anchor in --dir: {name}.crt and {name}.key.", global)
    {
        Options.Add(_options.Id);
        Options.Add(_options.Ttl);
        Options.Add(_options.Dir);
        Options.Add(_options.Name);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var folder = _options.FolderOf(context);
        var id = context.Value(_options.Id)!;
        using var anchor = folder.ReadAnchor();
        var anchorId = SpiffeCertificate.IdOf(anchor, out _);
        if (anchorId is not null && anchorId.TrustDomain != id.TrustDomain)
        {
            throw new IdentityException($"--id {id} is not in the trust domain of {folder.AnchorCertificate} ({anchorId.TrustDomain})");
        }

        var now = TimeProvider.System.GetUtcNow();
        var notAfter = now + (context.Value(_options.Ttl) ?? IdentityCommandOptions.WorkloadLifetime);
        if (notAfter > anchor.NotAfter.ToUniversalTime())
        {
            throw new IdentityException($"--ttl runs past the trust anchor's own expiry ({IdentityExpiry.Utc(anchor.NotAfter.ToUniversalTime())}): ask for less, or make a new anchor");
        }

        var name = context.Value(_options.Name) is { Length: > 0 } given ? given : IdentityCommandOptions.NameOf(id);
        using var certificate = CertificateAuthority.Issue(anchor, id.Value, now - IdentityCommandOptions.Backdate, notAfter);
        await folder.WriteAsync(context, certificate, folder.File($"{name}.crt"), folder.File($"{name}.key"), id.Value);
        return ExitCodes.Ok;
    }
}
