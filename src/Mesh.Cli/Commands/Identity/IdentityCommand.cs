using System.CommandLine;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands.Identity;

/// <summary>
/// <c>mesh identity</c>: SPIFFE certificates for development and tests, made with .NET's certificate APIs: a trust anchor
/// (<c>init</c>) and workload certificates it signs (<c>issue</c>). Production identities come from cert-manager's
/// csi-driver-spiffe or SPIRE (docs/kubernetes.md). <c>mesh identity</c> alone is a usage error naming both.
/// </summary>
internal sealed class IdentityCommand : Command
{
    public IdentityCommand(GlobalOptions global)
        : base("identity", "Make SPIFFE certificates for development and tests: a trust anchor (init) and workload certificates it signs (issue).")
    {
        Subcommands.Add(new IdentityInitCommand(global));
        Subcommands.Add(new IdentityIssueCommand(global));
    }
}
