using System.CommandLine;
using Mesh.Cli.Admin;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;
using Spectre.Console;

namespace Mesh.Cli;

/// <summary>What a command runs with: its parsed options, where the admin endpoint is, what to print, where, and what to read.</summary>
internal sealed class CommandContext(ParseResult parse, Uri admin, OutputFormat output, TextReader stdin, TextWriter stdout, TextWriter stderr)
{
    /// <summary>Gets the admin endpoint's base address, ending with <c>/</c> (so a MapMeshAdmin prefix is kept).</summary>
    public Uri Admin { get; } = admin;

    /// <summary>Gets what stdout gets: tables and lines, or JSON.</summary>
    public OutputFormat Output { get; } = output;

    /// <summary>Gets stdin, for a command told to read <c>-</c>.</summary>
    public TextReader In { get; } = stdin;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Gets the Spectre console writing to <see cref="Out"/>, for tables and live views.</summary>
    public IAnsiConsole Console { get; } = CliConsole.Create(stdout);

    /// <summary>The value of one of the command's options (already checked by the parser), or its default.</summary>
    public T? Value<T>(Option<T> option) => parse.GetValue(option);

    /// <summary>The value of one of the command's arguments (already checked by the parser).</summary>
    public T? Value<T>(Argument<T> argument) => parse.GetValue(argument);

    /// <summary>A client for one-shot requests (<c>stat</c>, <c>top</c>, <c>check</c>): each gives up after 5 s.</summary>
    public AdminClient CreateClient() => new(Admin, AdminClient.RequestTimeout);

    /// <summary>A client for a stream (<c>tap</c>): no overall timeout, only a connect timeout.</summary>
    public AdminClient CreateStreamingClient() => new(Admin, Timeout.InfiniteTimeSpan);
}
