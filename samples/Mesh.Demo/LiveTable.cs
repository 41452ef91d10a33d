using System.Globalization;
using System.Text;

namespace Mesh.Demo;

/// <summary>Draws the per-second table and the end-of-run summary as plain text.</summary>
internal sealed class LiveTable(DemoBackends backends, TimeSpan duration, int concurrency)
{
    private const int Width = 80;
    private const string RowFormat = "{0,-22} {1,-8} {2,8} {3,10} {4,8} {5,8} {6,8}";

    private static readonly CompositeFormat Row = CompositeFormat.Parse(RowFormat);
    private static readonly CompositeFormat SummaryRow = CompositeFormat.Parse("{0,-22} {1,-8} {2,9} {3,8} {4,10}");

    private readonly bool _redraw = !Console.IsOutputRedirected;
    private bool _cleared;

    public void Draw(MetricsSnapshot window, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        Line(text, Format(
            "Mesh demo: client \"orders\", {0} callers, {1} endpoints    t = {2:0}s / {3:0}s    Ctrl-C stops",
            concurrency, backends.All.Count, elapsed.TotalSeconds, duration.TotalSeconds));
        Line(text, string.Empty);
        Line(text, Format(Row, "endpoint", "role", "req/s", "success %", "p50 ms", "p99 ms", "share %"));
        var total = window.TotalAttempts;
        foreach (var backend in backends.All)
        {
            var stats = window.ForPort(backend.Port);
            Line(text, Format(
                Row,
                backend.Address.Authority,
                backend.Role,
                Number(stats.PerSecond(window.Window), "0"),
                stats.Count == 0 ? "-" : Number(stats.SuccessPercent, "0.0"),
                stats.Count == 0 ? "-" : Number(stats.P50Ms, "0.0"),
                stats.Count == 0 ? "-" : Number(stats.P99Ms, "0.0"),
                Number(total == 0 ? 0 : 100.0 * stats.Count / total, "0.0")));
        }

        var client = window.Client;
        Line(text, string.Empty);
        Line(text, Format(
            "caller (mesh.request.duration): {0:0} req/s, {1:0.0} % success, p50 {2:0.0} ms, p99 {3:0.0} ms",
            client.PerSecond(window.Window), client.SuccessPercent, client.P50Ms, client.P99Ms));

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

    public void PrintSummary(MetricsSnapshot totals, TrafficDriver traffic, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(Format("Summary: {0:0.0} s of traffic, {1} attempts", elapsed.TotalSeconds, totals.TotalAttempts));
        text.AppendLine(Format(SummaryRow, "endpoint", "role", "attempts", "share %", "success %"));
        var total = totals.TotalAttempts;
        var shares = new Dictionary<string, double>();
        foreach (var backend in backends.All)
        {
            var stats = totals.ForPort(backend.Port);
            var share = total == 0 ? 0 : 100.0 * stats.Count / total;
            shares[backend.Role] = share;
            text.AppendLine(Format(
                SummaryRow,
                backend.Address.Authority,
                backend.Role,
                stats.Count,
                Number(share, "0.0"),
                stats.Count == 0 ? "-" : Number(stats.SuccessPercent, "0.0")));
        }

        text.AppendLine(Format(
            "caller: {0} requests, {1:0.0} % success ({2} threw before a response)",
            traffic.Sent, traffic.Sent == 0 ? 0 : 100.0 * traffic.Succeeded / traffic.Sent, traffic.Exceptions));
        text.AppendLine();
        text.AppendLine(Explain(shares));
        Console.Write(text.ToString());
    }

    // Round robin would give each endpoint a third; say how far the balancer moved from that, and which way.
    private static string Explain(Dictionary<string, double> shares)
    {
        var healthy = shares.GetValueOrDefault("healthy");
        var slow = shares.GetValueOrDefault("slow");
        var failing = shares.GetValueOrDefault("failing");
        const double Even = 100.0 / 3;
        var avoidedSlow = slow < Even && slow < healthy;
        var avoidedFailing = failing < Even && failing < healthy;
        var (moved, why) = (avoidedSlow, avoidedFailing) switch
        {
            (true, true) => ("moved traffic away from the slow and failing endpoints",
                "every attempt's latency and outcome raised or lowered its endpoint's cost"),
            (true, false) => ("moved traffic away from the slow endpoint but not from the failing one",
                "the failing endpoint answers as fast as the healthy one, so its 503s barely raised its cost"),
            (false, true) => ("moved traffic away from the failing endpoint but not from the slow one",
                "its failures raised the failing endpoint's cost more than latency raised the slow one's"),
            _ => ("did not move traffic away from the slow or failing endpoints",
                "their costs never rose far enough above the healthy endpoint's"),
        };
        return Format(
            "Where round robin would give each endpoint 33 %, Mesh's balancer {0} (healthy {1:0.0} %, slow {2:0.0} %, failing {3:0.0} %): {4}.",
            moved, healthy, slow, failing, why);
    }

    private static void Line(StringBuilder text, string line) =>
        text.Append(line.Length >= Width ? line : line.PadRight(Width)).AppendLine();

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Format(CompositeFormat format, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);

    private static string Format(string format, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);
}
