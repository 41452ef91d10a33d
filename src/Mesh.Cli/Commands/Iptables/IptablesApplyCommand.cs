using Mesh.Cli.Interception;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands.Iptables;

/// <summary><c>mesh iptables apply</c>: installs the rules with iptables-restore; applying again replaces them.</summary>
internal sealed class IptablesApplyCommand : MeshCommand
{
    private readonly IptablesOptions _options = new();

    public IptablesApplyCommand(GlobalOptions global)
        : base("apply", "Install the interception rules (nat table, chains MESH_PREROUTING and MESH_OUTPUT); again replaces them.", global)
    {
        _options.AddRuleOptions(this);
        _options.AddBinaryOptions(this);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var backend = await _options.BackendOfAsync(context, cancellationToken);
        var results = await Interceptor.ApplyAsync(_options.RulesOf(context), backend, _options.Ipv6Of(context), cancellationToken);
        await IptablesOutput.WriteAsync(context, new IptablesReport(Name, backend, results));
        return ExitCodes.Ok;
    }
}
