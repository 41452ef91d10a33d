using System.CommandLine;
using System.Globalization;
using Mesh.Cli.Interception;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands.Iptables;

/// <summary>
/// The options of <c>mesh iptables</c>: what to redirect where (<c>apply</c>, <c>print</c>) and which iptables to
/// drive (<c>apply</c>, <c>print</c>, <c>remove</c>). A new set per command, as System.CommandLine's symbols know their parent.
/// </summary>
internal sealed class IptablesOptions
{
    private const string PortsExpected = "ports or ranges of 1-65535 separated by commas, such as 25,8000-8100";

    public Option<int> OutboundPort { get; } = Port("--outbound-port", InterceptionConstants.OutboundPort, "Where TCP the application sends goes: the sidecar's outbound port.");

    public Option<int> InboundPort { get; } = Port("--inbound-port", InterceptionConstants.InboundPort, "Where TCP arriving for the pod goes: the sidecar's inbound port.");

    public Option<int> ProxyUid { get; } = ProxyUidOption("The sidecar's user: its own connections are not redirected.");

    public Option<PortList> SkipOutboundPorts { get; } = Ports("--skip-outbound-ports", "Destination ports the application reaches directly, not through the sidecar.");

    public Option<PortList> SkipInboundPorts { get; } = Ports("--skip-inbound-ports", $"Ports delivered to the application directly; the admin port {InterceptionConstants.AdminPort} always is.");

    public Option<IptablesBackend?> Backend { get; } = TypedOptions.Choice(
        "--backend",
        "Which iptables: nft (iptables-nft-restore) or legacy (iptables-legacy-restore). Default: legacy if only it holds rules, else nft.",
        ("nft", IptablesBackend.Nft),
        ("legacy", IptablesBackend.Legacy));

    public Option<string> Ipv6 { get; } = Ipv6Option("Also set up IPv6 with ip6tables-restore (skipped, with a note, where it is not installed).", true);

    /// <summary><c>--proxy-uid</c>, default 2102 (also <c>mesh inject</c>'s).</summary>
    public static Option<int> ProxyUidOption(string description) => WithDefault(TypedOptions.Create<int>(
        "--proxy-uid",
        "uid",
        description,
        static (string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value),
        "a user id (a whole number of at least 0)"), InterceptionConstants.ProxyUid);

    /// <summary>
    /// <c>--ipv6 true|false</c> (also <c>mesh inject</c>'s). Text, not bool: System.CommandLine gives a bool option only
    /// the words it reads as bools, so --ipv6 yes would be "unexpected argument 'yes'" instead of naming --ipv6.
    /// </summary>
    public static Option<string> Ipv6Option(string description, bool defaultValue) => WithDefault(TypedOptions.Create<string>(
        "--ipv6",
        "true|false",
        description,
        static (string text, out string value) => bool.TryParse(value = text, out _),
        "true or false",
        "false",
        "true"), defaultValue ? "true" : "false");

    /// <summary>Adds the options that say what to redirect where.</summary>
    public void AddRuleOptions(Command command)
    {
        foreach (var option in new Option[] { OutboundPort, InboundPort, ProxyUid, SkipOutboundPorts, SkipInboundPorts })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Adds the options that say which iptables.</summary>
    public void AddBinaryOptions(Command command)
    {
        command.Options.Add(Backend);
        command.Options.Add(Ipv6);
    }

    /// <summary>Whether <c>--ipv6</c> asks for IPv6 too (the default).</summary>
    public bool Ipv6Of(CommandContext context) => bool.Parse(context.Value(Ipv6)!);

    public InterceptionRules RulesOf(CommandContext context) => new(
        context.Value(OutboundPort), context.Value(InboundPort), context.Value(ProxyUid), context.Value(SkipOutboundPorts)!, context.Value(SkipInboundPorts)!);

    /// <summary>The back-end asked for, or the one this machine uses (<see cref="BackendDetector"/>).</summary>
    public async Task<IptablesBackend> BackendOfAsync(CommandContext context, CancellationToken cancellationToken) =>
        context.Value(Backend) ?? await BackendDetector.DetectAsync(cancellationToken);

    private static Option<int> Port(string name, int defaultPort, string description) =>
        WithDefault(TypedOptions.Create<int>(name, "port", description, static (string text, out int port) => PortRange.TryParsePort(text, out port, out _), "a port (1-65535)"), defaultPort);

    private static Option<PortList> Ports(string name, string description) =>
        WithDefault(TypedOptions.Create<PortList>(name, "ports", description, PortList.TryParse, PortsExpected), PortList.Empty);

    private static Option<T> WithDefault<T>(Option<T> option, T value)
    {
        option.DefaultValueFactory = _ => value;
        return option;
    }
}
