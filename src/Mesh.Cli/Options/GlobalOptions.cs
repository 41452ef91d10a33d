using System.CommandLine;
using Mesh.Cli.Admin;

namespace Mesh.Cli.Options;

/// <summary>
/// The options every command takes, before or after the command's name (<c>mesh --admin 127.0.0.1:4191 stat</c> or
/// <c>mesh stat --admin 127.0.0.1:4191</c>): they are declared once on the root and are recursive.
/// </summary>
internal sealed class GlobalOptions
{
    public GlobalOptions()
    {
        // --json is the older spelling of --output json; saying both, differently, is a mistake worth naming.
        Json.Validators.Add(result =>
        {
            if (!result.Implicit && result.GetValueOrDefault<bool>() &&
                result.GetResult(Output) is { Tokens: [{ Value: var output }] } && output.Trim().Equals("table", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError("--json and --output table contradict each other: give one");
            }
        });
    }

    public Option<Uri> Admin { get; } = WithDefault(Recursive(TypedOptions.Create<Uri>(
        "--admin",
        "address",
        "The admin endpoint: host:port, http://host:port, or http://host:port/prefix for an app's MapMeshAdmin.",
        AdminAddress.TryParse,
        "host:port, http://host:port or http://host:port/prefix")), AdminAddress.Default);

    public Option<OutputFormat?> Output { get; } = Recursive(Aliased(TypedOptions.Choice(
        "--output",
        "What to print: tables and lines (table, the default), or JSON (json: one document, or one per line for top and tap).",
        ("table", OutputFormat.Table),
        ("json", OutputFormat.Json)), "-o"));

    public Option<bool> Json { get; } = new("--json") { Description = "Short for --output json.", Recursive = true };

    /// <summary>Gets the output format that <paramref name="parse"/> asked for.</summary>
    public OutputFormat OutputOf(ParseResult parse) => parse.GetValue(Json) ? OutputFormat.Json : parse.GetValue(Output) ?? OutputFormat.Table;

    public IEnumerable<Option> All => [Admin, Output, Json];

    private static Option<T> Recursive<T>(Option<T> option)
    {
        option.Recursive = true;
        return option;
    }

    private static Option<T> WithDefault<T>(Option<T> option, T defaultValue)
    {
        option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    private static Option<T> Aliased<T>(Option<T> option, string alias)
    {
        option.Aliases.Add(alias);
        return option;
    }
}
