using System.CommandLine;
using Mesh.Cli.Admin;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;

namespace Mesh.Cli.Commands;

/// <summary><c>mesh stat</c>: one snapshot of every service and endpoint, as tables or as the JSON of <c>/stats</c>.</summary>
internal sealed class StatCommand : MeshCommand
{
    private readonly Option<TimeSpan?> _window = StatsWindow.Create();

    public StatCommand(GlobalOptions global)
        : base("stat", "Show every service and endpoint over a window: rates, success, latency, retries, state.", global)
    {
        Options.Add(_window);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var json = await client.GetStatsJsonAsync(context.Value(_window) ?? StatsWindow.Default, cancellationToken);
        var stats = AdminJson.ParseStats(json);
        if (context.Output == OutputFormat.Json)
        {
            // The answer as it came, fields this CLI does not know included.
            await context.Out.WriteLineAsync(json.TrimEnd());
            return ExitCodes.Ok;
        }

        context.Console.Write(StatsView.Render(stats));
        return ExitCodes.Ok;
    }
}
