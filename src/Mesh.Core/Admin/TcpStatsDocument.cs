using Mesh.Stats;

namespace Mesh.Admin;

/// <summary>The opaque TCP connections to one destination in one direction over the window, in <see cref="StatsDocument"/> (the sidecar's).</summary>
/// <param name="Service">The configured service, or the destination (<c>ip:port</c>) when none claims it.</param>
/// <param name="Direction"><c>outbound</c> or <c>inbound</c>.</param>
/// <param name="Active">Connections open now.</param>
/// <param name="Opened">Connections opened in the window.</param>
/// <param name="OpenedPerSecond">Their rate, 3 decimals.</param>
/// <param name="Failed">Connections that ended in the window other than cleanly: reset, connect error, no endpoints, refused.</param>
/// <param name="TransmitBytesPerSecond">Bytes per second sent towards the destination, whole.</param>
/// <param name="ReceiveBytesPerSecond">Bytes per second received from it, whole.</param>
public sealed record TcpStatsDocument(string Service, string Direction, int Active, long Opened, double OpenedPerSecond, long Failed, double TransmitBytesPerSecond, double ReceiveBytesPerSecond)
{
    internal static TcpStatsDocument From(TcpSnapshot tcp) => new(
        tcp.Service,
        tcp.Direction,
        tcp.Active,
        tcp.Opened,
        Math.Round(tcp.OpenedPerSecond, 3),
        tcp.Failed,
        Math.Round(tcp.TransmitBytesPerSecond),
        Math.Round(tcp.ReceiveBytesPerSecond));
}
