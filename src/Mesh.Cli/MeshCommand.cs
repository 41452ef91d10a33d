using System.CommandLine;
using Mesh.Cli.Admin;
using Mesh.Cli.Commands.Identity;
using Mesh.Cli.Interception;
using Mesh.Cli.Options;

namespace Mesh.Cli;

/// <summary>
/// One <c>mesh</c> command: its name, options and help are System.CommandLine's; running it against the admin
/// endpoint is the subclass's. What goes wrong there is mapped to an exit code here, once for every command.
/// </summary>
internal abstract class MeshCommand : Command
{
    protected MeshCommand(string name, string description, GlobalOptions global)
        : base(name, description)
    {
        SetAction((parse, cancellationToken) => InvokeAsync(parse, global, cancellationToken));
    }

    /// <summary>Runs the command and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    protected abstract Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken);

    private async Task<int> InvokeAsync(ParseResult parse, GlobalOptions global, CancellationToken cancellationToken)
    {
        var invocation = parse.InvocationConfiguration;
        var input = (parse.RootCommandResult.Command as MeshRootCommand)?.Input ?? TextReader.Null;
        var context = new CommandContext(parse, parse.GetValue(global.Admin)!, global.OutputOf(parse), input, invocation.Output, invocation.Error);
        try
        {
            return await RunAsync(context, cancellationToken);
        }
        catch (AdminException ex)
        {
            await context.Error.WriteLineAsync($"mesh {Name}: {ex.Message}");
            return ExitCodes.AdminError;
        }
        catch (IptablesException ex)
        {
            await context.Error.WriteLineAsync($"mesh iptables {Name}: {ex.Message}");
            return ExitCodes.IptablesError;
        }
        catch (IdentityException ex)
        {
            await context.Error.WriteLineAsync($"mesh identity {Name}: {ex.Message}");
            return ExitCodes.IdentityError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync($"mesh {Name}: interrupted");
            return ExitCodes.AdminError;
        }
    }
}
