using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Mesh.Cli.Usage;

/// <summary>System.CommandLine's help, followed by what scripts most need from it and it cannot know: the exit codes.</summary>
internal sealed class HelpWithExitCodes(HelpAction help) : SynchronousCommandLineAction
{
    // Help asked for is not an error, even on a command line that has some.
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        help.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        if (parseResult.CommandResult.Command is RootCommand)
        {
            output.WriteLine("Run 'mesh <command> --help' for a command's options.");
        }

        output.WriteLine("Exit codes: 0 ok, 1 admin endpoint unreachable or answered an error, 2 usage error, 3 configuration errors (check), 4 iptables missing or failed (iptables), 5 input not YAML or not injectable (inject), 6 identity files unusable (identity) or the identity expired (check).");
        return ExitCodes.Ok;
    }
}
