using System.CommandLine;
using Mesh.Cli.Options;
using Mesh.Identity;

namespace Mesh.Cli.Commands.Identity;

/// <summary>The options of <c>mesh identity</c>; a new set per command, as System.CommandLine's symbols know their parent.</summary>
internal sealed class IdentityCommandOptions
{
    /// <summary>Certificates start a minute early, so a peer whose clock is a little behind does not find them not yet valid.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(1);

    /// <summary>A trust anchor's lifetime unless <c>--ttl</c> says otherwise: a year.</summary>
    public static readonly TimeSpan AnchorLifetime = TimeSpan.FromDays(365);

    /// <summary>A workload certificate's lifetime unless <c>--ttl</c> says otherwise: a day, as csi-driver-spiffe's default.</summary>
    public static readonly TimeSpan WorkloadLifetime = TimeSpan.FromHours(24);

    public Option<string?> TrustDomain { get; } = Required(TypedOptions.Create<string?>(
        "--trust-domain",
        "domain",
        "The trust domain, e.g. example.org or cluster.local: the anchor signs spiffe://<domain>/... IDs.",
        static (string text, out string? value, out string reason) => (reason = SpiffeId.CheckTrustDomain(value = text)).Length == 0,
        "a trust domain of lowercase letters, digits, '.', '-' and '_'"));

    public Option<SpiffeId?> Id { get; } = Required(TypedOptions.Create<SpiffeId?>(
        "--id",
        "spiffe-id",
        "The workload's SPIFFE ID, e.g. spiffe://example.org/ns/shop/sa/orders.",
        TryParseId,
        "a SPIFFE ID, spiffe://<trust-domain>/<path>"));

    public Option<TimeSpan?> Ttl { get; } = TypedOptions.Duration("--ttl", "How long the certificate is valid: 24h, 30d, 90m. Default: 24h for a workload, 365d for a trust anchor.");

    public Option<string?> Dir { get; } = TypedOptions.Text("--dir", "folder", "Where the trust anchor (ca.crt, ca.key) and the certificates are. Default: the current folder.");

    public Option<string?> Name { get; } = TypedOptions.Text("--name", "name", "The workload's files: <name>.crt and <name>.key. Default: the ID's last path segment.");

    public Option<bool> Force { get; } = new("--force") { Description = "Replace a trust anchor that exists (every certificate it signed stops being trusted)." };

    public IdentityFolder FolderOf(CommandContext context) => new(context.Value(Dir) is { Length: > 0 } dir ? dir : ".");

    /// <summary>The default file name of a workload: its ID's last path segment (<c>orders</c>), or <c>workload</c> for a bare trust domain.</summary>
    public static string NameOf(SpiffeId id) => id.Path.Length == 0 ? "workload" : id.Path[(id.Path.LastIndexOf('/') + 1)..];

    private static bool TryParseId(string text, out SpiffeId? id, out string reason)
    {
        var parsed = SpiffeId.TryParse(text, out id, out var why);
        reason = parsed ? "" : $"it {why}";
        return parsed;
    }

    private static Option<T> Required<T>(Option<T> option)
    {
        option.Required = true;
        return option;
    }
}
