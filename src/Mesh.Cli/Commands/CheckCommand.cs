using Mesh.Cli.Admin;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>mesh check</c>: validates a sidecar configuration file offline (<c>--config</c>; exit 3 listing every error with
/// its key) and asks the admin endpoint whether it is ready. With a file, an unreachable or unready admin is only a
/// warning, so the check works in CI before anything runs; without one, it is the answer (exit 1).
/// </summary>
internal sealed class CheckCommand : ICommand
{
    private static readonly OptionSpec Config = new("config", "path.json", "Validate this sidecar configuration file (offline, with the sidecar's own validator).");

    public string Name => "check";

    public string Summary => "Validate a sidecar configuration file, and check that the admin endpoint is ready.";

    public IReadOnlyList<OptionSpec> Options { get; } = [Config];

    public async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var exitCode = ExitCodes.Ok;
        var file = context.Options.Value(Config.Name);
        if (file is not null)
        {
            exitCode = await CheckFileAsync(context, file);
        }

        using var client = context.CreateClient();
        var readiness = await client.GetReadinessAsync(cancellationToken);
        var line = readiness.State switch
        {
            ReadinessState.Ready => $"admin {context.Admin}: ready{(readiness.Detail == "ready" ? "" : $" ({readiness.Detail})")}",
            ReadinessState.NotReady => $"admin {context.Admin}: not ready ({readiness.Detail})",
            _ => $"admin {context.Admin}: unreachable ({readiness.Detail})",
        };
        if (readiness.State == ReadinessState.Ready)
        {
            await context.Out.WriteLineAsync($"ok: {line}");
            return exitCode;
        }

        if (file is not null)
        {
            await context.Error.WriteLineAsync($"warning: {line}");
            return exitCode;
        }

        await context.Error.WriteLineAsync($"mesh: {line}");
        return ExitCodes.AdminError;
    }

    private static async Task<int> CheckFileAsync(CommandContext context, string file)
    {
        var fullPath = Path.GetFullPath(file);
        if (!File.Exists(fullPath))
        {
            throw new UsageException($"--config: no such file '{fullPath}'");
        }

        var errors = ConfigurationFile.Validate(fullPath);
        if (errors.Count == 0)
        {
            await context.Out.WriteLineAsync($"ok: {fullPath}: configuration is valid");
            return ExitCodes.Ok;
        }

        await context.Out.WriteLineAsync($"error: {fullPath}: {errors.Count} configuration error{(errors.Count == 1 ? "" : "s")}");
        foreach (var error in errors)
        {
            await context.Out.WriteLineAsync($"  - {error}");
        }

        return ExitCodes.ConfigurationErrors;
    }
}
