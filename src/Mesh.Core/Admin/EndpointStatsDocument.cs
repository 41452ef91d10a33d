using Mesh.Stats;

namespace Mesh.Admin;

/// <summary>One endpoint of a service, now and over the window, in <see cref="ServiceStatsDocument"/>.</summary>
/// <param name="Endpoint">Its authority, <c>host:port</c>.</param>
/// <param name="State"><c>ready</c>, <c>loaded</c> (ready, but it asked for less traffic: balanced around for now), <c>ejected</c> or <c>probing</c>.</param>
/// <param name="Reason">Why it is ejected or probing (the ejection reason) or loaded (<c>status_429</c>, <c>status_503</c>); null when ready.</param>
/// <param name="InFlight">Attempts in flight on it now.</param>
/// <param name="LatencyEstimateMs">The balancer's peak-EWMA estimate now, in milliseconds, 3 decimals.</param>
/// <param name="Attempts">Its attempts over the window.</param>
public sealed record EndpointStatsDocument(string Endpoint, string State, string? Reason, int InFlight, double LatencyEstimateMs, TrafficDocument Attempts)
{
    internal static EndpointStatsDocument From(EndpointSnapshot endpoint) => new(
        endpoint.Endpoint,
        endpoint.State,
        endpoint.Reason,
        endpoint.InFlight,
        Math.Round(endpoint.LatencyEstimate.TotalMilliseconds, 3),
        TrafficDocument.From(endpoint.Traffic));
}
