namespace Mesh.Cli.Options;

/// <summary>
/// One <c>--option</c> a command accepts: its name (without dashes), the placeholder of its value (null for a flag),
/// and the help line. The parser and the help text both read these, so they cannot disagree.
/// </summary>
internal sealed record OptionSpec(string Name, string? Value, string Help)
{
    public bool IsFlag => Value is null;

    public string Synopsis => IsFlag ? $"--{Name}" : $"--{Name} <{Value}>";
}
