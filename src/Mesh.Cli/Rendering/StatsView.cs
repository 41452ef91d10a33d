using System.Globalization;
using Mesh.Admin;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mesh.Cli.Rendering;

/// <summary>The tables of <c>mesh stat</c> and <c>mesh top</c>: services, then their endpoints, then the sidecar's opaque TCP connections.</summary>
internal static class StatsView
{
    public static IRenderable Render(StatsDocument report, string? caption = null)
    {
        var rows = new List<IRenderable>();
        if (caption is not null)
        {
            rows.Add(new Text(caption));
        }

        var tcp = report.Tcp ?? [];
        if (report.Services.Count == 0 && tcp.Count == 0)
        {
            rows.Add(new Text($"No services over the last {Format.Count(report.WindowSeconds)} s: nothing has been called through this Mesh yet."));
            return new Rows(rows);
        }

        if (report.Services.Count > 0)
        {
            rows.Add(Services(report));
            rows.Add(Text.Empty);
            rows.Add(Endpoints(report));
        }

        if (tcp.Count > 0)
        {
            if (report.Services.Count > 0)
            {
                rows.Add(Text.Empty);
            }

            rows.Add(Tcp(report, tcp));
        }

        return new Rows(rows);
    }

    /// <summary>The table of <c>mesh routes</c>: each route of <paramref name="service"/>, in each direction it has.</summary>
    public static IRenderable RenderRoutes(StatsDocument report, string service)
    {
        var table = NewTable($"Routes of {Markup.Escape(service)}, last {Format.Count(report.WindowSeconds)} s (latency in ms)");
        AddTextColumns(table, "ROUTE", "DIR");
        AddNumberColumns(table, "REQ/S", "SUCCESS", "P50", "P95", "P99", "RETRY/S");
        foreach (var s in report.Services.Where(s => string.Equals(s.Service, service, StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var route in s.Routes ?? [])
            {
                table.AddRow(
                    Markup.Escape(route.Route),
                    Direction(s.Direction),
                    Format.Rate(route.Requests.PerSecond),
                    SuccessMarkup(route.Requests.SuccessRate),
                    Format.Ms(route.Requests.LatencyMs.P50),
                    Format.Ms(route.Requests.LatencyMs.P95),
                    Format.Ms(route.Requests.LatencyMs.P99),
                    Format.Rate(route.RetriesPerSecond));
            }
        }

        return table;
    }

    // The sidecar's opaque TCP connections: a destination per row, bytes per second each way.
    private static Table Tcp(StatsDocument report, IReadOnlyList<TcpStatsDocument> tcp)
    {
        var table = NewTable($"TCP connections, last {Format.Count(report.WindowSeconds)} s");
        AddTextColumns(table, "DESTINATION", "DIR");
        AddNumberColumns(table, "ACTIVE", "OPENED", "CONN/S", "FAILED", "TX B/S", "RX B/S");
        foreach (var t in tcp)
        {
            table.AddRow(
                Markup.Escape(t.Service),
                Direction(t.Direction),
                t.Active.ToString(CultureInfo.InvariantCulture),
                t.Opened.ToString(CultureInfo.InvariantCulture),
                Format.Rate(t.OpenedPerSecond),
                t.Failed == 0 ? "0" : $"[red]{t.Failed.ToString(CultureInfo.InvariantCulture)}[/]",
                Format.Count(t.TransmitBytesPerSecond),
                Format.Count(t.ReceiveBytesPerSecond));
        }

        return table;
    }

    private static Table Services(StatsDocument report)
    {
        var table = NewTable($"Services, last {Format.Count(report.WindowSeconds)} s (latency in ms)");
        AddTextColumns(table, "SERVICE", "DIR");
        AddNumberColumns(table, "REQ/S", "SUCCESS", "ATT/S", "ATT OK", "P50", "P95", "P99", "RETRY/S", "BUDGET");
        foreach (var s in report.Services)
        {
            table.AddRow(
                Markup.Escape(s.Service),
                Direction(s.Direction),
                Format.Rate(s.Requests.PerSecond),
                SuccessMarkup(s.Requests.SuccessRate),
                Format.Rate(s.Attempts.PerSecond),
                SuccessMarkup(s.Attempts.SuccessRate),
                Format.Ms(s.Requests.LatencyMs.P50),
                Format.Ms(s.Requests.LatencyMs.P95),
                Format.Ms(s.Requests.LatencyMs.P99),
                Format.Rate(s.RetriesPerSecond),
                Format.Count(s.BudgetRemaining));
        }

        return table;
    }

    // The reason comes last: it is usually empty, and when it is long a narrow terminal cuts it rather than the numbers.
    private static Table Endpoints(StatsDocument report)
    {
        var table = NewTable("Endpoints (attempts; latency in ms)");
        AddTextColumns(table, "SERVICE", "ENDPOINT", "STATE");
        AddNumberColumns(table, "ATT/S", "SUCCESS", "P50", "P99", "INFLIGHT");
        AddTextColumns(table, "REASON");
        foreach (var s in report.Services)
        {
            foreach (var e in s.Endpoints)
            {
                table.AddRow(
                    Markup.Escape(s.Service),
                    Markup.Escape(e.Endpoint),
                    StateMarkup(e.State),
                    Format.Rate(e.Attempts.PerSecond),
                    SuccessMarkup(e.Attempts.SuccessRate),
                    Format.Ms(e.Attempts.LatencyMs.P50),
                    Format.Ms(e.Attempts.LatencyMs.P99),
                    e.InFlight.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(e.Reason ?? Format.None));
            }
        }

        return table;
    }

    // Borderless, kubectl-style: narrow enough for an 80-column terminal, and easy to grep. Without a border Spectre
    // ignores left padding, so every column keeps its gap on the right.
    private static Table NewTable(string title) => new() { Border = TableBorder.None, Title = new TableTitle(title) };

    private static void AddTextColumns(Table table, params string[] headers)
    {
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header).NoWrap().PadLeft(0).PadRight(2));
        }
    }

    private static void AddNumberColumns(Table table, params string[] headers)
    {
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header).RightAligned().PadLeft(0).PadRight(2));
        }
    }

    private static string Direction(string direction) => direction switch
    {
        "outbound" => "out",
        "inbound" => "in",
        _ => Markup.Escape(direction),
    };

    private static string StateMarkup(string state) => state switch
    {
        "ready" => "[green]ready[/]",
        "ejected" => "[red]ejected[/]",
        "probing" => "[yellow]probing[/]",
        "loaded" => "[blue]loaded[/]",
        _ => Markup.Escape(state),
    };

    private static string SuccessMarkup(double? rate) => rate switch
    {
        null => Format.None,
        >= 0.99 => $"[green]{Format.Percent(rate)}[/]",
        >= 0.9 => $"[yellow]{Format.Percent(rate)}[/]",
        _ => $"[red]{Format.Percent(rate)}[/]",
    };
}
