namespace Mesh.Cli.Interception;

/// <summary>
/// Ports and ranges such as <c>25,8000-8100</c>, in the order given, without repeats: what
/// <c>--skip-outbound-ports</c> and <c>--skip-inbound-ports</c> take, and what becomes iptables' multiport lists.
/// </summary>
internal sealed class PortList
{
    /// <summary>iptables' multiport match takes at most 15 ports, a range counting two.</summary>
    public const int MultiportLimit = 15;

    private PortList(IReadOnlyList<PortRange> ranges) => Ranges = ranges;

    public static PortList Empty { get; } = new([]);

    public IReadOnlyList<PortRange> Ranges { get; }

    /// <summary>This list with <paramref name="port"/> first, unless it is already in it.</summary>
    public PortList WithFirst(int port) => Ranges.Any(r => r.Contains(port)) ? this : new([new PortRange(port, port), .. Ranges]);

    /// <summary>Reads a comma-separated list (blank entries refused); <paramref name="reason"/> says what is wrong.</summary>
    public static bool TryParse(string text, out PortList list, out string reason)
    {
        list = Empty;
        var ranges = new List<PortRange>();
        foreach (var entry in text.Split(','))
        {
            if (!PortRange.TryParse(entry.Trim(), out var range, out reason))
            {
                return false;
            }

            ranges.Add(range);
        }

        list = new PortList([.. ranges.Distinct()]);
        reason = "";
        return true;
    }

    /// <summary>The ranges cut into lists iptables' multiport match accepts, in order (none for an empty list).</summary>
    public IReadOnlyList<string> MultiportGroups()
    {
        var groups = new List<string>();
        var current = new List<string>();
        var slots = 0;
        foreach (var range in Ranges)
        {
            if (slots + range.MultiportSlots > MultiportLimit)
            {
                groups.Add(string.Join(',', current));
                current.Clear();
                slots = 0;
            }

            current.Add(range.ToIptables());
            slots += range.MultiportSlots;
        }

        if (current.Count > 0)
        {
            groups.Add(string.Join(',', current));
        }

        return groups;
    }

    public override string ToString() => string.Join(',', Ranges);
}
