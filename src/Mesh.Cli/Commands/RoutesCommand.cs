using System.CommandLine;
using Mesh.Cli.Admin;
using Mesh.Cli.Options;
using Mesh.Cli.Rendering;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>mesh routes SERVICE</c>: the service's routes over a window (each <c>mesh.route</c> value: requests per second,
/// success, p50/p95/p99, retries per second), as a table or as the JSON of <c>/stats?service=SERVICE</c>.
/// </summary>
internal sealed class RoutesCommand : MeshCommand
{
    private readonly Argument<string> _service = new("service")
    {
        Description = "The service whose routes to show, e.g. orders.",
    };

    private readonly Option<TimeSpan?> _window = StatsWindow.Create();

    public RoutesCommand(GlobalOptions global)
        : base("routes", "Show one service's routes over a window: rates, success, latency, retries per route.", global)
    {
        Arguments.Add(_service);
        Options.Add(_window);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var service = context.Value(_service)!;
        using var client = context.CreateClient();
        var json = await client.GetStatsJsonAsync(context.Value(_window) ?? StatsWindow.Default, cancellationToken, service);
        var stats = AdminJson.ParseStats(json);
        if (!stats.Services.Any(s => string.Equals(s.Service, service, StringComparison.OrdinalIgnoreCase)))
        {
            await context.Error.WriteLineAsync($"mesh routes: no service '{service}' has had a request through this Mesh (mesh stat lists those that have)");
            return ExitCodes.AdminError;
        }

        if (context.Output == OutputFormat.Json)
        {
            // The answer as it came, fields this CLI does not know included.
            await context.Out.WriteLineAsync(json.TrimEnd());
            return ExitCodes.Ok;
        }

        context.Console.Write(StatsView.RenderRoutes(stats, service));
        return ExitCodes.Ok;
    }
}
