using Mesh.Cli.Admin;
using Mesh.Cli.Options;
using Spectre.Console;

namespace Mesh.Cli;

/// <summary>What a command runs with: its options, where the admin endpoint is, and where to write.</summary>
internal sealed class CommandContext(ParsedOptions options, Uri admin, TextWriter stdout, TextWriter stderr, IAnsiConsole console)
{
    public ParsedOptions Options { get; } = options;

    /// <summary>Gets the admin endpoint's base address, ending with <c>/</c> (so a MapMeshAdmin prefix is kept).</summary>
    public Uri Admin { get; } = admin;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Gets the Spectre console writing to <see cref="Out"/>, for tables and live views.</summary>
    public IAnsiConsole Console { get; } = console;

    /// <summary>A client for one-shot requests (<c>stat</c>, <c>top</c>, <c>check</c>): each gives up after 5 s.</summary>
    public AdminClient CreateClient() => new(Admin, AdminClient.RequestTimeout);

    /// <summary>A client for a stream (<c>tap</c>): no overall timeout, only a connect timeout.</summary>
    public AdminClient CreateStreamingClient() => new(Admin, Timeout.InfiniteTimeSpan);
}
