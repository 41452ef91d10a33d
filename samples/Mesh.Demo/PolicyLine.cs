using Mesh.Configuration;

namespace Mesh.Demo;

/// <summary>One line naming the policies a Mesh client runs with, read from its resolved options.</summary>
internal static class PolicyLine
{
    public static string Describe(string service, MeshServiceOptions options)
    {
        var retry = options.Retry;
        var retries = retry.MaxRetries == 0
            ? "retries off"
            : Text.Format("retries <= {0} per request within a {1} % retry budget", retry.MaxRetries, Text.Number(retry.BudgetRatio * 100, "0.#"));
        var accrual = options.FailureAccrual;
        var ejection = accrual.Enabled
            ? Text.Format(
                "ejection after {0} consecutive failures or < {1} % success (out {2}, doubling to {3}, then one probe)",
                accrual.ConsecutiveFailures,
                Text.Number(accrual.MinSuccessRate * 100, "0.#"),
                Seconds(accrual.BaseEjectionTime),
                Seconds(accrual.MaxEjectionTime))
            : "ejection off";
        return Text.Format(
            "Policies for \"{0}\" (Mesh's defaults; the demo configures none): balancing {1}; {2}; timeouts {3} total, {4} per try; {5}; hedging {6}.",
            service,
            options.LoadBalancer,
            retries,
            Seconds(options.Timeouts.Total),
            Seconds(options.Timeouts.PerTry),
            ejection,
            options.Hedging.Enabled ? "on" : "off");
    }

    private static string Seconds(TimeSpan time) => Text.Number(time.TotalSeconds, "0.###") + " s";
}
