using System.Text;

namespace Mesh.Demo;

/// <summary>Draws the per-second table as plain text: redrawn in place on a terminal, appended when redirected.</summary>
internal sealed class LiveTable(DemoBackends backends, TimeSpan duration, int clientCallers, int sidecarCallers, string policies, string sidecar, string dashboard)
{
    private const int Width = 90;

    private static readonly CompositeFormat Row =
        CompositeFormat.Parse("{0,-16} {1,-8} {2,6} {3,10} {4,7} {5,7} {6,8} {7,10}  {8,-7}");

    private readonly bool _redraw = !Console.IsOutputRedirected;
    private bool _cleared;

    /// <summary>
    /// Prints the policies and the sidecar once when the output is a log; on a terminal they head every redraw instead,
    /// under the dashboard's address (printed once before the table starts, and wiped by the first redraw).
    /// </summary>
    public void Start()
    {
        if (!_redraw)
        {
            Console.WriteLine(policies);
            Console.WriteLine(sidecar);
            Console.WriteLine();
        }
    }

    /// <param name="window">Mesh's metrics over the last window.</param>
    /// <param name="elapsed">Time since traffic started.</param>
    /// <param name="viaSidecar">What the callers behind the sidecar saw in the same window (they have no Mesh of their own).</param>
    public void Draw(MetricsSnapshot window, TimeSpan elapsed, (long Sent, long Succeeded) viaSidecar)
    {
        var text = new StringBuilder();
        Line(text, Text.Format(
            "Mesh demo: \"orders\", {0} callers ({1} Mesh client, {2} via the sidecar), {3} endpoints    t = {4:0}s / {5:0}s    Ctrl-C stops",
            clientCallers + sidecarCallers, clientCallers, sidecarCallers, backends.All.Count, elapsed.TotalSeconds, duration.TotalSeconds));
        if (_redraw)
        {
            Line(text, dashboard);
            Line(text, policies);
            Line(text, sidecar);
        }

        Line(text, string.Empty);
        Line(text, Text.Format(Row, "endpoint", "role", "req/s", "success %", "p50 ms", "p99 ms", "share %", "ejections", "state"));
        var total = window.TotalAttempts;
        foreach (var backend in backends.All)
        {
            var stats = window.ForPort(backend.Port);
            var ejections = window.Resilience.ForPort(backend.Port);
            Line(text, Text.Format(
                Row,
                backend.Address.Authority,
                backend.Role,
                Text.Number(stats.PerSecond(window.Window), "0"),
                stats.Count == 0 ? "-" : Text.Number(stats.SuccessPercent, "0.0"),
                stats.Count == 0 ? "-" : Text.Number(stats.P50Ms, "0.0"),
                stats.Count == 0 ? "-" : Text.Number(stats.P99Ms, "0.0"),
                Text.Number(Text.Percent(stats.Count, total), "0.0"),
                ejections.Count,
                ejections.State));
        }

        var client = window.Client;
        var resilience = window.Resilience;
        var states = window.EndpointStates;
        Line(text, string.Empty);
        var sidecarStates = window.SidecarEndpointStates;
        Line(text, Text.Format(
            "callers (mesh.request.duration, client and sidecar): {0:0} req/s, {1:0.0} % success, p50 {2:0.0} ms, p99 {3:0.0} ms",
            client.PerSecond(window.Window), client.SuccessPercent, client.P50Ms, client.P99Ms));
        Line(text, Text.Format(
            "  of which via the sidecar (as its plain HttpClient callers saw them): {0:0} req/s, {1:0.0} % success",
            Rate(viaSidecar.Sent, window.Window),
            Text.Percent(viaSidecar.Succeeded, viaSidecar.Sent)));
        Line(text, Text.Format(
            "  retries {0:0.0}/s (top reason: {1}), budget exhausted {2:0.0}/s",
            Rate(resilience.Retries, window.Window),
            resilience.TopRetryReason ?? "-",
            Rate(resilience.BudgetExhausted, window.Window)));
        Line(text, Text.Format(
            "  endpoints (each runtime's own view): client {0} ready, {1} ejected, {2} probing; sidecar {3} ready, {4} ejected, {5} probing",
            states.Ready,
            states.Ejected,
            states.Probing,
            sidecarStates.Ready,
            sidecarStates.Ejected,
            sidecarStates.Probing));

        if (_redraw)
        {
            if (!_cleared)
            {
                Console.Clear();
                _cleared = true;
            }

            Console.SetCursorPosition(0, 0);
        }
        else
        {
            text.AppendLine();
        }

        Console.Write(text.ToString());
    }

    private static double Rate(long count, TimeSpan window) => window <= TimeSpan.Zero ? 0 : count / window.TotalSeconds;

    private static void Line(StringBuilder text, string line) =>
        text.Append(line.Length >= Width ? line : line.PadRight(Width)).AppendLine();
}
