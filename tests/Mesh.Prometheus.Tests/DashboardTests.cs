using System.Text.Json;
using Mesh.Prometheus.Tests.Infrastructure;

namespace Mesh.Prometheus.Tests;

/// <summary>
/// deploy/prometheus/grafana-dashboard.json queries exactly the series mesh-rules.yml records, so the two cannot drift.
/// Grafana itself is not available on the test machines: the dashboard's queries are checked, not its rendering.
/// </summary>
public class DashboardTests
{
    private static readonly IReadOnlySet<string> Recorded = RulesFile.RecordedSeries(DeployFiles.Rules);

    [Fact]
    public void EveryPanelQuery_ReadsOnlyRecordedSeries()
    {
        var queries = PanelQueries();

        Assert.NotEmpty(queries);
        Assert.All(queries, static q => AssertReadsRecordedSeries($"panel \"{q.Panel}\"", q.Expr, PromQl.SeriesNames(q.Expr)));
    }

    [Fact]
    public void EveryVariableQuery_ReadsOnlyRecordedSeries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DeployFiles.Dashboard));
        var queries = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Where(static v => v.GetProperty("type").GetString() == "query")
            .Select(static v => (Name: v.GetProperty("name").GetString()!, Query: v.GetProperty("query").GetProperty("query").GetString()!))
            .ToList();

        Assert.Equal(["direction", "service", "instance"], queries.Select(static q => q.Name));
        Assert.All(queries, static q => AssertReadsRecordedSeries($"variable {q.Name}", q.Query, PromQl.LabelValuesSeries(q.Query)));
    }

    [Fact]
    public void EveryRecordedSeries_IsOnTheDashboard()
    {
        var shown = PanelQueries().SelectMany(static q => PromQl.SeriesNames(q.Expr)).ToHashSet();

        Assert.All(Recorded, name => Assert.True(shown.Contains(name), $"{name} is recorded but on no panel"));
    }

    [Fact]
    public async Task EveryPanelQuery_IsValidPromQl()
    {
        // promtool parses each query as a rule's expression, Grafana's variables replaced by what they stand for.
        var folder = Directory.CreateTempSubdirectory("mesh-dashboard-").FullName;
        try
        {
            var file = Path.Combine(folder, "dashboard-queries.yml");
            var rules = PanelQueries().Select(static (q, i) =>
                $"      - record: dashboard:query:{i}\n        expr: '{q.Expr.Replace("$direction", ".*", StringComparison.Ordinal).Replace("$service", ".*", StringComparison.Ordinal).Replace("$instance", ".*", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)}'");
            await File.WriteAllTextAsync(file, "groups:\n  - name: dashboard\n    rules:\n" + string.Join("\n", rules) + "\n");

            var result = await Promtool.RunAsync(["check", "rules", file]);

            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertReadsRecordedSeries(string where, string query, IReadOnlyList<string> read)
    {
        Assert.True(read.Count > 0, $"{where}: {query} reads no series");
        Assert.All(read, name => Assert.True(Recorded.Contains(name), $"{where} reads {name}, which mesh-rules.yml does not record"));
    }

    private static List<(string Panel, string Expr)> PanelQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DeployFiles.Dashboard));
        var queries = new List<(string, string)>();
        Collect(dashboard.RootElement.GetProperty("panels"), queries);
        return queries;
    }

    // Panels, and the panels of collapsed rows, each with its targets' expressions.
    private static void Collect(JsonElement panels, List<(string, string)> queries)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                queries.AddRange(targets.EnumerateArray().Select(t => (panel.GetProperty("title").GetString()!, t.GetProperty("expr").GetString()!)));
            }

            if (panel.TryGetProperty("panels", out var inner))
            {
                Collect(inner, queries);
            }
        }
    }
}
