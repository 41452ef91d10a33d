using System.Globalization;

namespace Mesh.Cli.Interception;

/// <summary>One port (<c>First == Last</c>) or an inclusive range of ports, each 1 to 65535.</summary>
internal readonly record struct PortRange(int First, int Last)
{
    public const int MinPort = 1;
    public const int MaxPort = 65535;

    /// <summary>Gets how many entries of iptables' multiport list this takes: a range counts two (linkerd2-proxy-init counts the same way).</summary>
    public int MultiportSlots => First == Last ? 1 : 2;

    public bool Contains(int port) => port >= First && port <= Last;

    /// <summary>As iptables writes it: <c>4191</c> or <c>8000:8100</c>.</summary>
    public string ToIptables() => First == Last ? Number(First) : $"{Number(First)}:{Number(Last)}";

    /// <summary>As the options take it: <c>4191</c> or <c>8000-8100</c>.</summary>
    public override string ToString() => First == Last ? Number(First) : $"{Number(First)}-{Number(Last)}";

    /// <summary>Reads <c>8080</c> or <c>8000-8100</c>; <paramref name="reason"/> says what is wrong when it is neither.</summary>
    public static bool TryParse(string text, out PortRange range, out string reason)
    {
        range = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var firstText = dash < 0 ? text : text[..dash];
        var lastText = dash < 0 ? text : text[(dash + 1)..];
        if (!TryParsePort(firstText, out var first, out reason) || !TryParsePort(lastText, out var last, out reason))
        {
            return false;
        }

        if (first > last)
        {
            reason = $"the range '{text}' goes backwards";
            return false;
        }

        range = new PortRange(first, last);
        return true;
    }

    /// <summary>Reads one port number, 1 to 65535.</summary>
    public static bool TryParsePort(string text, out int port, out string reason)
    {
        var trimmed = text.Trim();
        if (!int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            reason = trimmed.Length == 0 ? "a port is missing" : $"'{trimmed}' is not a number";
            return false;
        }

        if (port is < MinPort or > MaxPort)
        {
            reason = $"{port} is out of 1-65535";
            return false;
        }

        reason = "";
        return true;
    }

    private static string Number(int port) => port.ToString(CultureInfo.InvariantCulture);
}
