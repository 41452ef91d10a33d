using Mesh.Cli.Admin;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;
using Spectre.Console;

namespace Mesh.Cli.Commands;

/// <summary><c>mesh top</c>: the tables of <c>stat</c>, refreshed in place until Ctrl-C or <c>--iterations</c> refreshes.</summary>
internal sealed class TopCommand : ICommand
{
    private static readonly OptionSpec Interval = new("interval", "duration", "Time between refreshes. Default: 1s.");
    private static readonly OptionSpec Iterations = new("iterations", "n", "Stop after n refreshes (for scripts and tests). Default: until Ctrl-C.");

    public string Name => "top";

    public string Summary => "The same tables as stat, refreshing live until Ctrl-C.";

    public IReadOnlyList<OptionSpec> Options { get; } = [StatsOptions.Window, Interval, Iterations];

    public async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var window = StatsOptions.GetWindow(context.Options);
        var interval = context.Options.Duration(Interval.Name, TimeSpan.FromSeconds(1));
        var iterations = context.Options.PositiveInt(Iterations.Name);
        using var client = context.CreateClient();

        // The first snapshot is taken before the live view starts, so an unreachable admin fails fast with exit 1.
        var view = StatsView.Render(AdminJson.ParseStats(await client.GetStatsJsonAsync(window, cancellationToken)), Caption(context, window, null));
        var lastFailed = false;
        try
        {
            await context.Console.Live(view).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async live =>
            {
                for (var refreshes = 1; ; refreshes++)
                {
                    live.UpdateTarget(view);
                    live.Refresh();
                    if (refreshes >= iterations)
                    {
                        return;
                    }

                    await Task.Delay(interval, TimeProvider.System, cancellationToken);
                    try
                    {
                        view = StatsView.Render(AdminJson.ParseStats(await client.GetStatsJsonAsync(window, cancellationToken)), Caption(context, window, null));
                        lastFailed = false;
                    }
                    catch (AdminException ex)
                    {
                        // Keep refreshing: a sidecar that restarts comes back into view on its own.
                        view = new Text(Caption(context, window, ex.Message));
                        lastFailed = true;
                    }
                }
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C is how top is meant to end.
        }

        return lastFailed ? ExitCodes.AdminError : ExitCodes.Ok;
    }

    private static string Caption(CommandContext context, TimeSpan window, string? error) =>
        $"mesh top · {context.Admin} · window {ParsedOptions.FormatDuration(window)} · {TimeProvider.System.GetLocalNow():HH:mm:ss}" +
        (error is null ? " · Ctrl-C to stop" : $"{Environment.NewLine}{error}");
}
