namespace Mesh.Cli.Options;

/// <summary>
/// The parsed command line: <c>mesh [global options] &lt;command&gt; [options]</c>. Options are <c>--name value</c> or
/// <c>--name=value</c>; global options (<c>--admin</c>, <c>--help</c>) may stand before or after the command.
/// </summary>
internal sealed class CommandLine
{
    public const string DefaultAdmin = "127.0.0.1:4191";

    public static readonly OptionSpec Admin = new("admin", "address", $"The admin endpoint: host:port (default {DefaultAdmin}), http://host:port, or http://host:port/prefix for an app's MapMeshAdmin.");

    public static readonly OptionSpec Help = new("help", null, "Show help (also -h).");

    private CommandLine(ICommand? command, bool help, string admin, ParsedOptions options)
    {
        Command = command;
        IsHelp = help;
        AdminAddress = admin;
        Options = options;
    }

    /// <summary>Gets the command, or null when none was named (help alone, or nothing at all).</summary>
    public ICommand? Command { get; }

    public bool IsHelp { get; }

    public string AdminAddress { get; }

    public ParsedOptions Options { get; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="UsageException"/> naming what is wrong.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyList<ICommand> commands)
    {
        ICommand? command = null;
        var help = false;
        var admin = DefaultAdmin;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "-?")
            {
                help = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                if (command is not null)
                {
                    throw new UsageException($"unexpected argument '{arg}' for '{command.Name}'");
                }

                command = commands.FirstOrDefault(c => c.Name == arg) ?? throw new UsageException(
                    arg.StartsWith('-') ? $"unknown option '{arg}'" : $"unknown command '{arg}'");
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            var spec = name == Admin.Name ? Admin : command?.Options.FirstOrDefault(o => o.Name == name)
                ?? throw new UsageException(command is null ? $"unknown option '--{name}' (options go after the command)" : $"unknown option '--{name}' for '{command.Name}'");
            if (spec.IsFlag)
            {
                if (equals >= 0)
                {
                    throw new UsageException($"--{name} takes no value");
                }

                flags.Add(name);
                continue;
            }

            string value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"--{name} needs a value: {spec.Synopsis}");
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                throw new UsageException($"--{name} needs a value: {spec.Synopsis}");
            }

            if (spec == Admin)
            {
                admin = value;
            }
            else
            {
                values[name] = value;
            }
        }

        return new CommandLine(command, help, admin, new ParsedOptions(values, flags));
    }
}
