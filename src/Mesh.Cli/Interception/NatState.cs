using System.Text.RegularExpressions;

namespace Mesh.Cli.Interception;

/// <summary>
/// What of Mesh's is in a nat table already, read off <c>iptables-save -t nat</c>: which of Mesh's chains exist, and
/// the rules in PREROUTING and OUTPUT that jump to them (as saved, so each can be deleted as it stands).
/// </summary>
internal sealed partial class NatState
{
    private NatState(IReadOnlySet<string> chains, IReadOnlyList<string> jumps)
    {
        Chains = chains;
        Jumps = jumps;
    }

    /// <summary>Gets a nat table with nothing of Mesh's: what <c>print</c> assumes.</summary>
    public static NatState Empty { get; } = new(new HashSet<string>(), []);

    /// <summary>Gets Mesh's chains that exist.</summary>
    public IReadOnlySet<string> Chains { get; }

    /// <summary>Gets the saved rules (<c>-A OUTPUT ... -j MESH_OUTPUT</c>) that jump into Mesh's chains from the built-in ones.</summary>
    public IReadOnlyList<string> Jumps { get; }

    public bool IsEmpty => Chains.Count == 0 && Jumps.Count == 0;

    public bool HasJump(string from, string to) => Jumps.Any(j => JumpRule().Match(j) is { Success: true } m && m.Groups["from"].Value == from && m.Groups["to"].Value == to);

    public static NatState Parse(string save)
    {
        var chains = new HashSet<string>(StringComparer.Ordinal);
        var jumps = new List<string>();
        foreach (var line in save.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ChainLine().Match(line) is { Success: true } chain)
            {
                chains.Add(chain.Groups["chain"].Value);
            }
            else if (JumpRule().IsMatch(line))
            {
                jumps.Add(line);
            }
        }

        return new NatState(chains, jumps);
    }

    [GeneratedRegex($"^:(?<chain>{InterceptionConstants.InboundChain}|{InterceptionConstants.OutboundChain}) ")]
    private static partial Regex ChainLine();

    [GeneratedRegex($"^-A (?<from>PREROUTING|OUTPUT) (.+ )?-j (?<to>{InterceptionConstants.InboundChain}|{InterceptionConstants.OutboundChain})( |$)")]
    private static partial Regex JumpRule();
}
