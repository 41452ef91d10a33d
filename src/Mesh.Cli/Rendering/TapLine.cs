using System.Globalization;
using System.Text;
using Mesh.Cli.Admin;
using Mesh.Tap;

namespace Mesh.Cli.Rendering;

/// <summary>
/// One tapped request as one readable line, e.g.
/// <c>14:03:07.412 outbound orders GET /work 503 12.4ms 127.0.0.1:5001 route=work retries=2(status_503,status_503)</c>
/// (the route only when it is not <c>default</c>; <c>backend=orders-v2</c> after it for a service that splits its traffic);
/// an opaque TCP connection shows its destination, how it ended and its bytes each way.
/// </summary>
internal static class TapLine
{
    public static string Format(string json) =>
        // Not an event this CLI understands: show it as it came rather than hide it.
        AdminJson.ParseTap(json) is { } e ? Format(e) : json;

    private static string Format(TapEvent e)
    {
        if (e.Tcp is { } tcp)
        {
            return Tcp(e, tcp);
        }

        var line = new StringBuilder();
        line.Append(e.Time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture));
        line.Append(' ').Append(e.Direction.PadRight(8));
        line.Append(' ').Append(e.Service);
        line.Append(' ').Append(e.Method.PadRight(6));
        line.Append(' ').Append(e.Path);
        line.Append(' ').Append(e.Status is { } status ? status.ToString(CultureInfo.InvariantCulture) : "error");
        line.Append(' ').Append(Rendering.Format.Ms(e.DurationMs)).Append("ms");
        line.Append(' ').Append(e.Endpoint ?? Rendering.Format.None);
        if (e.Route is { } route && route != "default")
        {
            line.Append(" route=").Append(route);
        }

        if (e.Backend is { } backend)
        {
            line.Append(" backend=").Append(backend);
        }

        if (e.Retries.Count > 0)
        {
            line.Append(" retries=").Append(e.Retries.Count).Append('(').AppendJoin(',', e.Retries).Append(')');
        }

        if (e.RetrySkipped is { } skipped)
        {
            line.Append(" retry_skipped=").Append(skipped);
        }

        return line.ToString();
    }

    // 14:03:07.412 outbound redis TCP 10.0.0.7:6379 closed 1520.3ms 10.0.0.7:6379 tx=1204 rx=5120 detection=opaque_port
    private static string Tcp(TapEvent e, TapTcp tcp) => string.Create(CultureInfo.InvariantCulture,
        $"{e.Time.ToLocalTime():HH:mm:ss.fff} {e.Direction,-8} {e.Service} {e.Method,-6} {e.Authority} {tcp.Outcome} {Rendering.Format.Ms(e.DurationMs)}ms {e.Endpoint ?? Rendering.Format.None} tx={tcp.TransmittedBytes} rx={tcp.ReceivedBytes} detection={tcp.Detection}");
}
