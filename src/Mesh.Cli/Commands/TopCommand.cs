using System.CommandLine;
using Mesh.Cli.Admin;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;
using Spectre.Console;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>mesh top</c>: the tables of <c>stat</c>, refreshed in place until Ctrl-C or <c>--iterations</c> refreshes; with
/// <c>--output json</c>, one <c>/stats</c> document per line and refresh (NDJSON).
/// </summary>
internal sealed class TopCommand : MeshCommand
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    private readonly Option<TimeSpan?> _window = StatsWindow.Create();
    private readonly Option<TimeSpan?> _interval = TypedOptions.Duration("--interval", "Time between refreshes. Default: 1s.");
    private readonly Option<int?> _iterations = TypedOptions.PositiveInt("--iterations", "n", "Stop after n refreshes (for scripts and tests). Default: until Ctrl-C.");

    public TopCommand(GlobalOptions global)
        : base("top", "The same tables as stat, refreshing live until Ctrl-C.", global)
    {
        Options.Add(_window);
        Options.Add(_interval);
        Options.Add(_iterations);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var refresh = new Refresh(context, context.Value(_window) ?? StatsWindow.Default, context.Value(_interval) ?? DefaultInterval, context.Value(_iterations));
        try
        {
            return context.Output == OutputFormat.Json ? await refresh.JsonLinesAsync(cancellationToken) : await refresh.LiveAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C is how top is meant to end.
            return refresh.LastFailed ? ExitCodes.AdminError : ExitCodes.Ok;
        }
    }

    /// <summary>One run of top: fetch, show, wait, until the iterations are done. A failed refresh is shown and retried.</summary>
    private sealed class Refresh(CommandContext context, TimeSpan window, TimeSpan interval, int? iterations)
    {
        public bool LastFailed { get; private set; }

        public async Task<int> LiveAsync(CancellationToken cancellationToken)
        {
            using var client = context.CreateClient();

            // The first snapshot is taken before the live view starts, so an unreachable admin fails fast with exit 1.
            var view = StatsView.Render(AdminJson.ParseStats(await client.GetStatsJsonAsync(window, cancellationToken)), Caption(null));
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
                        view = StatsView.Render(AdminJson.ParseStats(await client.GetStatsJsonAsync(window, cancellationToken)), Caption(null));
                        LastFailed = false;
                    }
                    catch (AdminException ex)
                    {
                        // Keep refreshing: a sidecar that restarts comes back into view on its own.
                        view = new Text(Caption(ex.Message));
                        LastFailed = true;
                    }
                }
            });
            return LastFailed ? ExitCodes.AdminError : ExitCodes.Ok;
        }

        public async Task<int> JsonLinesAsync(CancellationToken cancellationToken)
        {
            using var client = context.CreateClient();
            for (var refreshes = 1; ; refreshes++)
            {
                try
                {
                    var json = await client.GetStatsJsonAsync(window, cancellationToken);
                    _ = AdminJson.ParseStats(json);

                    // One document per line. JSON has no line break inside a string (it is escaped), so removing
                    // those between tokens cannot change the document.
                    await context.Out.WriteLineAsync(json.ReplaceLineEndings(""));
                    await context.Out.FlushAsync(cancellationToken);
                    LastFailed = false;
                }
                catch (AdminException ex) when (refreshes > 1)
                {
                    // As the live view does: say so, and keep refreshing (the first failure is the answer, exit 1).
                    await context.Error.WriteLineAsync($"mesh top: {ex.Message}");
                    LastFailed = true;
                }

                if (refreshes >= iterations)
                {
                    return LastFailed ? ExitCodes.AdminError : ExitCodes.Ok;
                }

                await Task.Delay(interval, TimeProvider.System, cancellationToken);
            }
        }

        private string Caption(string? error) =>
            $"mesh top · {context.Admin} · window {TypedOptions.FormatDuration(window)} · {TimeProvider.System.GetLocalNow():HH:mm:ss}" +
            (error is null ? " · Ctrl-C to stop" : $"{Environment.NewLine}{error}");
    }
}
