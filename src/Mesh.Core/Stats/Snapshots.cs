namespace Mesh.Stats;

/// <summary>Traffic over a window: how much, how well, how fast.</summary>
/// <param name="Count">Requests (or attempts) in the window.</param>
/// <param name="PerSecond">Their rate.</param>
/// <param name="SuccessRate">The share that succeeded; null when there were none.</param>
/// <param name="P50">Median latency, null when there were none.</param>
/// <param name="P95">95th percentile latency.</param>
/// <param name="P99">99th percentile latency.</param>
internal sealed record TrafficSnapshot(long Count, double PerSecond, double? SuccessRate, TimeSpan? P50, TimeSpan? P95, TimeSpan? P99);

/// <summary>One endpoint of a service, now and over the window.</summary>
/// <param name="Endpoint">Its authority.</param>
/// <param name="State"><c>ready</c>, <c>loaded</c> (ready, but it asked for less traffic: balanced around for now), <c>ejected</c> or <c>probing</c>.</param>
/// <param name="Reason">Why it is ejected or probing (the ejection reason) or loaded (<c>status_429</c>, <c>status_503</c>), if it is.</param>
/// <param name="InFlight">Attempts in flight now.</param>
/// <param name="LatencyEstimate">The balancer's peak-EWMA estimate now.</param>
/// <param name="Traffic">Its attempts over the window.</param>
internal sealed record EndpointSnapshot(string Endpoint, string State, string? Reason, int InFlight, TimeSpan LatencyEstimate, TrafficSnapshot Traffic);

/// <summary>One service over a window: as its callers saw it ("effective") and per attempt ("actual").</summary>
/// <param name="Service">The service name.</param>
/// <param name="Direction"><c>outbound</c> or <c>inbound</c>.</param>
/// <param name="Requests">Logical requests as the callers saw them, after retries.</param>
/// <param name="Attempts">Attempts on endpoints, retries and hedges included.</param>
/// <param name="RetriesPerSecond">Retries per second in the window, by reason (the failed attempt's, or <c>hedge</c>).</param>
/// <param name="BudgetRemaining">Retries the budget would still grant now.</param>
/// <param name="Endpoints">Each endpoint.</param>
/// <param name="Routes">Each <c>mesh.route</c> value with requests in the window, and each configured route, by name.</param>
internal sealed record ServiceSnapshot(
    string Service,
    string Direction,
    TrafficSnapshot Requests,
    TrafficSnapshot Attempts,
    IReadOnlyDictionary<string, double> RetriesPerSecond,
    double BudgetRemaining,
    IReadOnlyList<EndpointSnapshot> Endpoints,
    IReadOnlyList<RouteSnapshot>? Routes = null);

/// <summary>The opaque TCP connections to one destination in one direction over a window (the sidecar's).</summary>
/// <param name="Service">The configured service, or the destination (<c>ip:port</c>) when none claims it.</param>
/// <param name="Direction"><c>outbound</c> or <c>inbound</c>.</param>
/// <param name="Active">Connections open now.</param>
/// <param name="Opened">Connections opened in the window.</param>
/// <param name="OpenedPerSecond">Their rate.</param>
/// <param name="Failed">Connections that ended in the window other than cleanly (reset, connect error, refused).</param>
/// <param name="TransmitBytesPerSecond">Bytes per second sent towards the destination.</param>
/// <param name="ReceiveBytesPerSecond">Bytes per second received from it.</param>
internal sealed record TcpSnapshot(string Service, string Direction, int Active, long Opened, double OpenedPerSecond, long Failed, double TransmitBytesPerSecond, double ReceiveBytesPerSecond);
