using System.CommandLine;
using System.CommandLine.Help;
using Mesh.Cli.Commands;
using Mesh.Cli.Commands.Identity;
using Mesh.Cli.Commands.Inject;
using Mesh.Cli.Commands.Iptables;
using Mesh.Cli.Options;
using Mesh.Cli.Usage;

namespace Mesh.Cli;

/// <summary>
/// <c>mesh</c> itself: the global options, the commands, help (<c>-h</c>, <c>--help</c>, with the exit codes
/// appended), <c>--version</c>, and the <c>[suggest]</c> directive that dotnet-suggest calls for tab completion.
/// A new one per run: System.CommandLine's symbols know their parents, so they are not shared between runs.
/// </summary>
internal sealed class MeshRootCommand : RootCommand
{
    public MeshRootCommand()
        : base("mesh: look into a Mesh sidecar, or an app's MapMeshAdmin, from the command line; set up a pod's traffic interception; add the sidecar to Kubernetes workloads.")
    {
        // The help's usage line says "mesh" however the CLI was started (dotnet Mesh.Cli.dll, a test host, the tool).
        HelpName = "mesh";
        foreach (var option in Global.All)
        {
            Options.Add(option);
        }

        Subcommands.Add(new StatCommand(Global));
        Subcommands.Add(new TopCommand(Global));
        Subcommands.Add(new TapCommand(Global));
        Subcommands.Add(new RoutesCommand(Global));
        Subcommands.Add(new CheckCommand(Global));
        Subcommands.Add(new IptablesCommand(Global));
        Subcommands.Add(new IdentityCommand(Global));
        Subcommands.Add(new InjectCommand(Global));
        var help = Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExitCodes((HelpAction)help.Action!);

        // A bare `mesh` did not say what to do: the usage, on stderr, as a usage error.
        SetAction(parse =>
        {
            WriteHelp(this, parse.InvocationConfiguration.Error);
            return ExitCodes.Usage;
        });
    }

    public GlobalOptions Global { get; } = new();

    /// <summary>Gets what a command reads when told <c>-</c> (stdin).</summary>
    public TextReader Input { get; init; } = TextReader.Null;

    /// <summary>Writes <paramref name="command"/>'s help to <paramref name="writer"/> (for usage errors, which go to stderr).</summary>
    public void WriteHelp(Command command, TextWriter writer) =>
        Parse([.. PathTo(command), "--help"]).Invoke(new InvocationConfiguration { Output = writer, Error = writer });

    // The names from below the root down to the command (iptables apply), each command having one parent here.
    private IEnumerable<string> PathTo(Command command) =>
        command == this ? [] : [.. command.Parents.OfType<Command>().SelectMany(PathTo), command.Name];
}
