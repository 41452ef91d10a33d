using Mesh.Cli.Interception;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands.Iptables;

/// <summary><c>mesh iptables remove</c>: deletes the jumps and Mesh's chains, leaving the nat table as it was before <c>apply</c>.</summary>
internal sealed class IptablesRemoveCommand : MeshCommand
{
    private readonly IptablesOptions _options = new();

    public IptablesRemoveCommand(GlobalOptions global)
        : base("remove", "Remove what apply installed (the jumps and Mesh's chains), and nothing else.", global)
    {
        _options.AddBinaryOptions(this);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var backend = await _options.BackendOfAsync(context, cancellationToken);
        var results = await Interceptor.RemoveAsync(backend, _options.Ipv6Of(context), cancellationToken);
        await IptablesOutput.WriteAsync(context, new IptablesReport(Name, backend, results));
        return ExitCodes.Ok;
    }
}
