using System.CommandLine;
using System.CommandLine.Invocation;
using Mesh.Cli.Usage;

namespace Mesh.Cli;

/// <summary>
/// The <c>mesh</c> command line: System.CommandLine parses the arguments (<see cref="MeshRootCommand"/>), one command
/// runs against the admin endpoint, and what went wrong becomes an exit code (<see cref="ExitCodes"/>). Tests call
/// <see cref="RunAsync"/> in-process.
/// </summary>
public static class CliApp
{
    /// <summary>Runs <c>mesh</c> with <paramref name="args"/>, writing to <paramref name="stdout"/> and <paramref name="stderr"/>; nothing to read.</summary>
    /// <param name="args">The arguments after <c>mesh</c>.</param>
    /// <param name="stdout">Where results go (tables, tap lines, JSON, help, completions).</param>
    /// <param name="stderr">Where usage errors, errors and warnings go.</param>
    /// <param name="cancellationToken">Ctrl-C: ends <c>top</c> and <c>tap</c> with exit code 0.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, TextReader.Null, stdout, stderr, cancellationToken);

    /// <summary>Runs <c>mesh</c> with <paramref name="args"/>, reading <paramref name="stdin"/> (<c>mesh inject -</c>), writing to <paramref name="stdout"/> and <paramref name="stderr"/>.</summary>
    /// <param name="args">The arguments after <c>mesh</c>.</param>
    /// <param name="stdin">What <c>-</c> reads.</param>
    /// <param name="stdout">Where results go (tables, tap lines, JSON, YAML, help, completions).</param>
    /// <param name="stderr">Where usage errors, errors and warnings go.</param>
    /// <param name="cancellationToken">Ctrl-C: ends <c>top</c> and <c>tap</c> with exit code 0.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var root = new MeshRootCommand { Input = stdin };
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // Not System.CommandLine's own error action: a usage error is exit 2 here, and its help goes to stderr.
            foreach (var message in UsageErrors.Of(parse))
            {
                await stderr.WriteLineAsync($"mesh: {message}");
            }

            await stderr.WriteLineAsync();
            root.WriteHelp(parse.CommandResult.Command, stderr);
            return ExitCodes.Usage;
        }

        // Program handles Ctrl-C itself (the first one ends top and tap gracefully): no termination handler here.
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }
}
