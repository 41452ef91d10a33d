using Mesh.Stats;

namespace Mesh.Admin;

/// <summary>One service in one direction over the window, in <see cref="StatsDocument"/>.</summary>
/// <param name="Service">The logical service name.</param>
/// <param name="Direction"><c>outbound</c> or <c>inbound</c>.</param>
/// <param name="Requests">Logical requests as the callers saw them, after retries and hedges.</param>
/// <param name="Attempts">Attempts on endpoints, retries and hedges included.</param>
/// <param name="RetriesPerSecond">Retries and hedges per second: the sum of <paramref name="RetriesByReason"/>.</param>
/// <param name="RetriesByReason">Retries per second by reason (the failed attempt's, or <c>hedge</c>).</param>
/// <param name="BudgetRemaining">Retries the budget would grant now, 2 decimals.</param>
/// <param name="Endpoints">The service's current endpoints, in discovery's order.</param>
/// <param name="Routes">
/// Its <c>mesh.route</c> values with requests in the window, and its configured routes, by name; null from a Mesh that
/// predates routes.
/// </param>
public sealed record ServiceStatsDocument(
    string Service,
    string Direction,
    TrafficDocument Requests,
    TrafficDocument Attempts,
    double RetriesPerSecond,
    IReadOnlyDictionary<string, double> RetriesByReason,
    double BudgetRemaining,
    IReadOnlyList<EndpointStatsDocument> Endpoints,
    IReadOnlyList<RouteStatsDocument>? Routes = null)
{
    internal static ServiceStatsDocument From(ServiceSnapshot service) => new(
        service.Service,
        service.Direction,
        TrafficDocument.From(service.Requests),
        TrafficDocument.From(service.Attempts),
        service.RetriesPerSecond.Values.Sum(),
        service.RetriesPerSecond,
        Math.Round(service.BudgetRemaining, 2),
        service.Endpoints.Select(EndpointStatsDocument.From).ToList(),
        (service.Routes ?? []).Select(RouteStatsDocument.From).ToList());
}
