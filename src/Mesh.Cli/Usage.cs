using System.Text;
using Mesh.Cli.Options;

namespace Mesh.Cli;

/// <summary>The help text, generated from the commands and their <see cref="OptionSpec"/>s.</summary>
internal static class Usage
{
    public static string General(IReadOnlyList<ICommand> commands)
    {
        var text = new StringBuilder();
        text.AppendLine("mesh: look into a Mesh sidecar, or an app's MapMeshAdmin, from the command line.");
        text.AppendLine();
        text.AppendLine("Usage: mesh [--admin <address>] <command> [options]");
        text.AppendLine();
        text.AppendLine("Commands:");
        foreach (var command in commands)
        {
            text.AppendLine($"  {command.Name,-8}{command.Summary}");
        }

        AppendOptions(text, "Global options:", [CommandLine.Admin, CommandLine.Help]);
        text.AppendLine();
        text.AppendLine("Run 'mesh <command> --help' for a command's options.");
        AppendExitCodes(text);
        return text.ToString();
    }

    public static string For(ICommand command)
    {
        var text = new StringBuilder();
        text.AppendLine($"mesh {command.Name}: {command.Summary}");
        text.AppendLine();
        text.AppendLine($"Usage: mesh [--admin <address>] {command.Name}{string.Concat(command.Options.Select(o => $" [{o.Synopsis}]"))}");
        AppendOptions(text, "Options:", command.Options);
        AppendOptions(text, "Global options:", [CommandLine.Admin, CommandLine.Help]);
        AppendExitCodes(text);
        return text.ToString();
    }

    private static void AppendOptions(StringBuilder text, string title, IReadOnlyList<OptionSpec> options)
    {
        text.AppendLine();
        text.AppendLine(title);
        var width = options.Max(o => o.Synopsis.Length) + 2;
        foreach (var option in options)
        {
            text.AppendLine($"  {option.Synopsis.PadRight(width)}{option.Help}");
        }
    }

    private static void AppendExitCodes(StringBuilder text)
    {
        text.AppendLine();
        text.AppendLine("Exit codes: 0 ok, 1 admin endpoint unreachable or answered an error, 2 usage error, 3 configuration errors (check).");
    }
}
