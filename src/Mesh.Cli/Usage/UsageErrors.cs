using System.CommandLine;
using System.CommandLine.Parsing;

namespace Mesh.Cli.Usage;

/// <summary>What is wrong with a command line, one message per mistake, each naming the word or option at fault.</summary>
internal static class UsageErrors
{
    public static IReadOnlyList<string> Of(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var atRoot = command is RootCommand;
        var messages = new List<string>();
        foreach (var token in parse.UnmatchedTokens)
        {
            // A command's own option is unmatched only when it came before the command's name.
            var misplaced = atRoot || command.Options.Any(o => o.Name == token || o.Aliases.Contains(token));
            messages.Add(token.StartsWith('-')
                ? misplaced ? $"unknown option '{token}' (options go after the command)" : $"unknown option '{token}' for '{command.Name}'"
                : atRoot ? $"unknown command '{token}'" : $"unexpected argument '{token}' for '{command.Name}'");
        }

        // System.CommandLine reports each unmatched token too ("Unrecognized command or argument 'x'"), on the command
        // and quoting the token; those are said better above. Every other error (a value our parsers refused, a
        // missing value, an option given twice) already names its option.
        foreach (var error in parse.Errors)
        {
            var aboutAToken = error.SymbolResult is CommandResult && parse.UnmatchedTokens.Any(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal));
            if (!aboutAToken)
            {
                messages.Add(error.Message.TrimEnd('.'));
            }
        }

        return messages;
    }
}
