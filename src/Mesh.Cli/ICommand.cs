using Mesh.Cli.Options;

namespace Mesh.Cli;

/// <summary>One <c>mesh</c> command: its name, what it does, the options it accepts and how it runs.</summary>
internal interface ICommand
{
    /// <summary>Gets the word that names the command on the command line.</summary>
    string Name { get; }

    /// <summary>Gets one line saying what the command does.</summary>
    string Summary { get; }

    /// <summary>Gets the options the command accepts, besides the global ones.</summary>
    IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Runs the command and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken);
}
