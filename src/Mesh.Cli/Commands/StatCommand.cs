using Mesh.Cli.Admin;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;

namespace Mesh.Cli.Commands;

/// <summary><c>mesh stat</c>: one snapshot of every service and endpoint, as tables or as the raw JSON of <c>/stats</c>.</summary>
internal sealed class StatCommand : ICommand
{
    private static readonly OptionSpec Json = new("json", null, "Print the raw JSON of /stats instead of tables.");

    public string Name => "stat";

    public string Summary => "Show every service and endpoint over a window: rates, success, latency, retries, state.";

    public IReadOnlyList<OptionSpec> Options { get; } = [StatsOptions.Window, Json];

    public async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var window = StatsOptions.GetWindow(context.Options);
        using var client = context.CreateClient();
        var json = await client.GetStatsJsonAsync(window, cancellationToken);
        var stats = AdminJson.ParseStats(json);
        if (context.Options.Flag(Json.Name))
        {
            await context.Out.WriteLineAsync(json.TrimEnd());
            return ExitCodes.Ok;
        }

        context.Console.Write(StatsView.Render(stats));
        return ExitCodes.Ok;
    }
}
