namespace Mesh.Demo;

/// <summary>
/// Retries and ejections: <c>mesh.retries</c> and <c>mesh.retry_budget.exhausted</c> for a window (or the whole run),
/// and <c>mesh.endpoint.ejections</c> per endpoint, always for the whole run.
/// </summary>
/// <param name="RetriesByReason">Retries by <c>mesh.retry.reason</c>.</param>
/// <param name="BudgetExhausted">Retries the budget refused.</param>
/// <param name="Ejections">Ejections per <c>mesh.endpoint</c> tag value and Mesh runtime: an endpoint may appear twice.</param>
internal sealed record ResilienceSnapshot(
    IReadOnlyDictionary<string, long> RetriesByReason,
    long BudgetExhausted,
    IReadOnlyList<KeyValuePair<string, EndpointEjections>> Ejections)
{
    public long Retries => RetriesByReason.Values.Sum();

    /// <summary>The most frequent retry reason, or null when there were no retries.</summary>
    public string? TopRetryReason =>
        RetriesByReason.Count == 0
            ? null
            : RetriesByReason.OrderByDescending(static pair => pair.Value).ThenBy(static pair => pair.Key, StringComparer.Ordinal).First().Key;

    /// <summary>The ejections of the endpoint on <paramref name="port"/> by both runtimes, or none.</summary>
    public EndpointEjections ForPort(int port)
    {
        var all = EndpointEjections.None;
        foreach (var (endpoint, ejections) in Ejections)
        {
            if (DemoBackend.PortOf(endpoint) == port)
            {
                all = all.Add(ejections);
            }
        }

        return all;
    }
}
