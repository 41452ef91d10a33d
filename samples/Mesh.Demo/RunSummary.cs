using System.Text;

namespace Mesh.Demo;

/// <summary>
/// The end-of-run summary: per endpoint, the callers against their attempts, retries, ejections, and what it shows.
/// Callers are both kinds: the Mesh client's, and the plain HttpClients sending through the sidecar.
/// </summary>
internal sealed class RunSummary(DemoBackends backends, string loadBalancer)
{
    private static readonly CompositeFormat Row = CompositeFormat.Parse("{0,-16} {1,-8} {2,9} {3,8} {4,10}  {5}");

    public void Print(MetricsSnapshot totals, TrafficDriver client, TrafficDriver viaSidecar, TimeSpan elapsed)
    {
        var resilience = totals.Resilience;
        var attempts = totals.TotalAttempts;
        var attemptSuccess = Text.Percent(totals.SuccessfulAttempts, attempts);
        var traffic = new Traffic(client.Sent + viaSidecar.Sent, client.Succeeded + viaSidecar.Succeeded, client.Exceptions + viaSidecar.Exceptions);
        var callerSuccess = Text.Percent(traffic.Succeeded, traffic.Sent);
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(Text.Format("Summary: {0:0.0} s of traffic, {1} attempts for {2} requests", elapsed.TotalSeconds, attempts, traffic.Sent));
        text.AppendLine(Text.Format(Row, "endpoint", "role", "attempts", "share %", "success %", "ejections (mesh.endpoint.ejections, by reason)"));
        foreach (var backend in backends.All)
        {
            var stats = totals.ForPort(backend.Port);
            var ejections = resilience.ForPort(backend.Port);
            text.AppendLine(Text.Format(
                Row,
                backend.Address.Authority,
                backend.Role,
                stats.Count,
                Text.Number(Text.Percent(stats.Count, attempts), "0.0"),
                stats.Count == 0 ? "-" : Text.Number(stats.SuccessPercent, "0.0"),
                ejections.Count == 0 ? "0" : Text.Format("{0} ({1})", ejections.Count, Text.Counts(ejections.ByReason, string.Empty))));
        }

        text.AppendLine(Text.Format(
            "callers: {0} requests, {1:0.0} % success ({2} threw before a response)",
            traffic.Sent, callerSuccess, traffic.Exceptions));
        text.AppendLine(Text.Format(
            "  Mesh client (in-process): {0} requests, {1:0.0} % success; via the sidecar (plain HttpClient, Host: orders): {2} requests, {3:0.0} % success",
            client.Sent, Text.Percent(client.Succeeded, client.Sent), viaSidecar.Sent, Text.Percent(viaSidecar.Succeeded, viaSidecar.Sent)));
        text.AppendLine(Text.Format(
            "effective vs actual: the callers saw {0:0.0} % success; their attempts succeeded {1:0.0} % of the time",
            callerSuccess, attemptSuccess));
        text.AppendLine(Text.Format(
            "retries (mesh.retries): {0} ({1}); retries refused by the budget (mesh.retry_budget.exhausted): {2}",
            resilience.Retries, Text.Counts(resilience.RetriesByReason, "none"), resilience.BudgetExhausted));
        text.AppendLine();
        text.AppendLine(Explain(totals, traffic, callerSuccess, attemptSuccess));
        Console.Write(text.ToString());
    }

    // Every clause is chosen from the numbers, so the sentence stays true whatever the run did.
    private string Explain(MetricsSnapshot totals, Traffic traffic, double callerSuccess, double attemptSuccess)
    {
        var attempts = totals.TotalAttempts;
        var failing = Find("failing");
        var failingEjections = totals.Resilience.ForPort(failing?.Port ?? -1);
        var failingShare = Text.Percent(totals.ForPort(failing?.Port ?? -1).Count, attempts);
        var ejected = failingEjections.Count == 0
            ? Text.Format("the failing endpoint was never ejected and got {0:0.0} % of attempts", failingShare)
            : Text.Format(
                "the failing endpoint was ejected {0} time{1} by failure accrual ({2}) and got {3:0.0} % of attempts",
                failingEjections.Count,
                failingEjections.Count == 1 ? string.Empty : "s",
                Text.Counts(failingEjections.ByReason, string.Empty),
                failingShare);

        var retries = totals.Resilience.Retries;
        var failedAttempts = attempts - totals.SuccessfulAttempts;
        var failedRequests = traffic.Sent - traffic.Succeeded;
        var rates = Text.Format("callers' success {0:0.0} % vs attempts' success {1:0.0} %", callerSuccess, attemptSuccess);
        var masked = (failedAttempts, retries) switch
        {
            (0, _) => Text.Format("no attempt failed, so retries had nothing to mask ({0})", rates),
            (_, 0) => Text.Format("no retries were made, so the callers saw every failed attempt ({0})", rates),
            _ when callerSuccess <= attemptSuccess => Text.Format("{0} retries did not lift the callers above their attempts ({1})", retries, rates),
            _ when failedRequests == 0 => Text.Format("{0} retries masked every failed attempt ({1})", retries, rates),
            _ => Text.Format("{0} retries masked failed attempts, though {1} requests still failed ({2})", retries, failedRequests, rates),
        };

        var slowShare = Text.Percent(totals.ForPort(Find("slow")?.Port ?? -1).Count, attempts);
        const double Even = 100.0 / 3;
        var balanced = slowShare < Even
            ? Text.Format("the balancer ({0}) kept the slow endpoint at {1:0.0} % of attempts, where round robin would give it 33 %", loadBalancer, slowShare)
            : Text.Format("the balancer ({0}) gave the slow endpoint {1:0.0} % of attempts, no less than round robin's 33 %", loadBalancer, slowShare);

        return Text.Format("In short: {0}; {1}; and {2}.", ejected, masked, balanced);
    }

    private DemoBackend? Find(string role) => backends.All.FirstOrDefault(backend => backend.Role == role);

    /// <summary>All callers' requests as they saw them.</summary>
    private sealed record Traffic(long Sent, long Succeeded, long Exceptions);
}
