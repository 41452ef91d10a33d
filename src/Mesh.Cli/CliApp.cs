using Mesh.Cli.Admin;
using Mesh.Cli.Commands;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;

namespace Mesh.Cli;

/// <summary>
/// The <c>mesh</c> command line: parses the arguments, runs one command against the admin endpoint, and maps what
/// went wrong to an exit code (<see cref="ExitCodes"/>). Tests call <see cref="RunAsync"/> in-process.
/// </summary>
public static class CliApp
{
    private static readonly IReadOnlyList<ICommand> Commands = [new StatCommand(), new TopCommand(), new TapCommand(), new CheckCommand()];

    /// <summary>Runs <c>mesh</c> with <paramref name="args"/>, writing to <paramref name="stdout"/> and <paramref name="stderr"/>.</summary>
    /// <param name="args">The arguments after <c>mesh</c>.</param>
    /// <param name="stdout">Where results go (tables, tap lines, JSON).</param>
    /// <param name="stderr">Where usage, errors and warnings go.</param>
    /// <param name="cancellationToken">Ctrl-C: ends <c>top</c> and <c>tap</c> with exit code 0.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args, Commands);
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"mesh: {ex.Message}");
            await stderr.WriteLineAsync();
            await stderr.WriteAsync(Usage.General(Commands));
            return ExitCodes.Usage;
        }

        if (commandLine.Command is not { } command)
        {
            // `mesh --help` asked for the usage; a bare `mesh` did not say what to do.
            await (commandLine.IsHelp ? stdout : stderr).WriteAsync(Usage.General(Commands));
            return commandLine.IsHelp ? ExitCodes.Ok : ExitCodes.Usage;
        }

        if (commandLine.IsHelp)
        {
            await stdout.WriteAsync(Usage.For(command));
            return ExitCodes.Ok;
        }

        try
        {
            var context = new CommandContext(commandLine.Options, AdminAddress.Parse(commandLine.AdminAddress), stdout, stderr, CliConsole.Create(stdout));
            return await command.RunAsync(context, cancellationToken);
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"mesh {command.Name}: {ex.Message}");
            await stderr.WriteLineAsync();
            await stderr.WriteAsync(Usage.For(command));
            return ExitCodes.Usage;
        }
        catch (AdminException ex)
        {
            await stderr.WriteLineAsync($"mesh {command.Name}: {ex.Message}");
            return ExitCodes.AdminError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"mesh {command.Name}: interrupted");
            return ExitCodes.AdminError;
        }
    }
}
