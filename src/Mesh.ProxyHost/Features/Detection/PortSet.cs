using System.Collections;
using System.Globalization;

namespace Mesh.ProxyHost.Features.Detection;

/// <summary>
/// A set of TCP ports written as ports and ranges separated by commas (<c>25,3306,8000-8100</c>), as
/// <c>Mesh:Proxy:OpaquePorts</c> and Linkerd's <c>opaque-ports</c> annotation write them. A bit per port: asking is one
/// array read, on every intercepted connection.
/// </summary>
internal sealed class PortSet
{
    private readonly BitArray _ports = new(65536);

    public static PortSet Empty { get; } = new();

    public bool Contains(int port) => port is > 0 and < 65536 && _ports[port];

    /// <summary>Parses <paramref name="text"/>, or says what is wrong with it.</summary>
    public static bool TryParse(string? text, out PortSet set, out string? error)
    {
        set = new PortSet();
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var first = dash < 0 ? part : part[..dash];
            var last = dash < 0 ? part : part[(dash + 1)..];
            if (!TryPort(first, out var from) || !TryPort(last, out var to) || to < from)
            {
                error = $"must be ports (1-65535) or ranges such as 8000-8100, separated by commas; '{part}' is not";
                return false;
            }

            for (var port = from; port <= to; port++)
            {
                set._ports[port] = true;
            }
        }

        return true;
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;
}
