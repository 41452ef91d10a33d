using System.CommandLine;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands.Iptables;

/// <summary>
/// <c>mesh iptables</c>: the rules that send a pod's TCP through its sidecar (docs/interception.md). It has no action
/// of its own: <c>mesh iptables</c> alone is a usage error that names the three subcommands.
/// </summary>
internal sealed class IptablesCommand : Command
{
    public IptablesCommand(GlobalOptions global)
        : base("iptables", "Send the pod's TCP through the sidecar with iptables (run as root in the pod's network namespace, e.g. an init container).")
    {
        Subcommands.Add(new IptablesApplyCommand(global));
        Subcommands.Add(new IptablesPrintCommand(global));
        Subcommands.Add(new IptablesRemoveCommand(global));
    }
}
