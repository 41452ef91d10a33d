using System.Globalization;
using System.Text;
using static Mesh.Cli.Interception.InterceptionConstants;

namespace Mesh.Cli.Interception;

/// <summary>
/// The text fed to <c>iptables-restore --noflush</c> (and <c>ip6tables-restore</c>: the rules are the same). Only the
/// nat table is named, and <c>--noflush</c> leaves every other chain and table as it is. Declaring Mesh's chains
/// creates them, or empties them when they exist, so applying again replaces the rules instead of adding to them;
/// the jumps from PREROUTING and OUTPUT are added only when <see cref="NatState"/> says they are missing. The whole
/// input is one transaction: it is all in place, or none of it.
/// </summary>
internal static class RestoreInput
{
    /// <summary>The input that installs <paramref name="rules"/> into a nat table in <paramref name="state"/>.</summary>
    public static string Apply(InterceptionRules rules, NatState state, IptablesFamily family)
    {
        var text = new StringBuilder();
        Line(text, $"# mesh iptables apply: {Name(family)} nat rules, for {Tool(family)}-restore --noflush");
        Line(text, "*nat");
        Line(text, $":{InboundChain} - [0:0]");
        Line(text, $":{OutboundChain} - [0:0]");

        // Inbound: TCP arriving for the pod goes to the sidecar's inbound port, but for the ports skipped (the admin
        // port always, so probes and scrapes reach the sidecar itself).
        foreach (var ports in rules.InboundExceptions.MultiportGroups())
        {
            Rule(text, InboundChain, $"-p tcp -m multiport --dports {ports}", "skip-inbound-ports", "RETURN");
        }

        Rule(text, InboundChain, "-p tcp", "redirect-inbound", $"REDIRECT --to-ports {Port(rules.InboundPort)}");

        // Outbound: the sidecar's own connections first, or they would come back to it; then loopback, which is the
        // pod talking to itself (the sidecar's listeners among it); then the ports skipped; the rest to the sidecar.
        Rule(text, OutboundChain, $"-m owner --uid-owner {Port(rules.ProxyUid)}", "skip-proxy-uid", "RETURN");
        Rule(text, OutboundChain, "-o lo", "skip-loopback", "RETURN");
        foreach (var ports in rules.SkipOutboundPorts.MultiportGroups())
        {
            Rule(text, OutboundChain, $"-p tcp -m multiport --dports {ports}", "skip-outbound-ports", "RETURN");
        }

        Rule(text, OutboundChain, "-p tcp", "redirect-outbound", $"REDIRECT --to-ports {Port(rules.OutboundPort)}");

        // Appended once: an apply that finds them in place leaves these two lines out.
        if (!state.HasJump("PREROUTING", InboundChain))
        {
            Rule(text, "PREROUTING", "-p tcp", "inbound", $"{InboundChain}");
        }

        if (!state.HasJump("OUTPUT", OutboundChain))
        {
            Rule(text, "OUTPUT", "-p tcp", "outbound", $"{OutboundChain}");
        }

        Line(text, "COMMIT");
        return text.ToString();
    }

    /// <summary>The input that takes out what <see cref="Apply"/> put in, or null when there is nothing of Mesh's.</summary>
    public static string? Remove(NatState state, IptablesFamily family)
    {
        if (state.IsEmpty)
        {
            return null;
        }

        var text = new StringBuilder();
        Line(text, $"# mesh iptables remove: {Name(family)} nat rules, for {Tool(family)}-restore --noflush");
        Line(text, "*nat");

        // Every jump as it was saved (there may be more than one if something else added one too), then the chains.
        foreach (var jump in state.Jumps)
        {
            Line(text, "-D" + jump[2..]);
        }

        foreach (var chain in new[] { InboundChain, OutboundChain }.Where(state.Chains.Contains))
        {
            Line(text, $"-F {chain}");
            Line(text, $"-X {chain}");
        }

        Line(text, "COMMIT");
        return text.ToString();
    }

    /// <summary>The binaries' stem: <c>iptables</c> or <c>ip6tables</c>.</summary>
    public static string Tool(IptablesFamily family) => family == IptablesFamily.IPv6 ? "ip6tables" : "iptables";

    public static string Name(IptablesFamily family) => family == IptablesFamily.IPv6 ? "IPv6" : "IPv4";

    // In the order iptables-save writes a rule's parts, so what is printed reads the same as what is saved.
    private static void Rule(StringBuilder text, string chain, string match, string comment, string target) =>
        Line(text, $"-A {chain} {match} -m comment --comment \"{CommentPrefix}{comment}\" -j {target}");

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');

    private static string Port(int value) => value.ToString(CultureInfo.InvariantCulture);
}
