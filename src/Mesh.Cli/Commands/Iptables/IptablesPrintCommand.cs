using Mesh.Cli.Interception;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands.Iptables;

/// <summary>
/// <c>mesh iptables print</c>: what <c>apply</c> would feed iptables-restore, for each family, running nothing. It
/// takes apply's options (the back-end's too, so that the one word can be swapped), and writes the input for a nat
/// table without Mesh's jumps; apply leaves the two jump lines out where they are already in place.
/// </summary>
internal sealed class IptablesPrintCommand : MeshCommand
{
    private readonly IptablesOptions _options = new();

    public IptablesPrintCommand(GlobalOptions global)
        : base("print", "Print the iptables-restore input apply would use, for IPv4 and IPv6, without running anything.", global)
    {
        _options.AddRuleOptions(this);
        _options.AddBinaryOptions(this);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var rules = _options.RulesOf(context);
        var families = _options.Ipv6Of(context) ? [IptablesFamily.IPv4, IptablesFamily.IPv6] : new[] { IptablesFamily.IPv4 };
        var results = families
            .Select(family => new FamilyResult(family, null, RestoreInput.Apply(rules, NatState.Empty, family), $"{RestoreInput.Name(family)}: for {RestoreInput.Tool(family)}-restore --noflush"))
            .ToArray();
        var report = new IptablesReport(Name, context.Value(_options.Backend), results);
        if (context.Output == OutputFormat.Json)
        {
            await IptablesOutput.WriteAsync(context, report);
            return ExitCodes.Ok;
        }

        // The inputs themselves, each starting with a comment naming its family: a file iptables-restore can read.
        await context.Out.WriteAsync(string.Join("\n", results.Select(r => r.Input)));
        return ExitCodes.Ok;
    }
}
