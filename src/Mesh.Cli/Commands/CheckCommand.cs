using System.CommandLine;
using System.Text.Json;
using Mesh.Cli.Admin;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>mesh check</c>: validates a sidecar configuration file offline (<c>--config</c>; exit 3 listing every error with
/// its key) and asks the admin endpoint whether it is ready. With a file, an unreachable or unready admin is only a
/// warning, so the check works in CI before anything runs; without one, it is the answer (exit 1).
/// </summary>
internal sealed class CheckCommand : MeshCommand
{
    private readonly Option<string?> _config = TypedOptions.Text("--config", "path.json", "Validate this sidecar configuration file (offline, with the sidecar's own validator).");

    public CheckCommand(GlobalOptions global)
        : base("check", "Validate a sidecar configuration file, and check that the admin endpoint is ready.", global)
    {
        _config.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<string?>() is { } file && !string.IsNullOrWhiteSpace(file) && !File.Exists(Path.GetFullPath(file)))
            {
                result.AddError($"--config: no such file '{Path.GetFullPath(file)}'");
            }
        });
        Options.Add(_config);
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var file = context.Value(_config) is { } path ? CheckFile(Path.GetFullPath(path)) : null;
        using var client = context.CreateClient();
        var readiness = await client.GetReadinessAsync(cancellationToken);
        var exitCode = file is { Valid: false } ? ExitCodes.ConfigurationErrors
            : readiness.State != ReadinessState.Ready && file is null ? ExitCodes.AdminError
            : ExitCodes.Ok;

        if (context.Output == OutputFormat.Json)
        {
            var report = new CheckReport(file, new AdminCheck(context.Admin.ToString(), readiness.State, readiness.Detail));
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(report, CliJsonContext.Default.CheckReport));
        }
        else if (file is not null)
        {
            await WriteAsync(context.Out, file);
        }

        var line = readiness.State switch
        {
            ReadinessState.Ready => $"admin {context.Admin}: ready{(readiness.Detail == "ready" ? "" : $" ({readiness.Detail})")}",
            ReadinessState.NotReady => $"admin {context.Admin}: not ready ({readiness.Detail})",
            _ => $"admin {context.Admin}: unreachable ({readiness.Detail})",
        };
        if (readiness.State == ReadinessState.Ready)
        {
            if (context.Output == OutputFormat.Table)
            {
                await context.Out.WriteLineAsync($"ok: {line}");
            }
        }
        else
        {
            await context.Error.WriteLineAsync(file is not null ? $"warning: {line}" : $"mesh: {line}");
        }

        return exitCode;
    }

    private static ConfigCheck CheckFile(string fullPath)
    {
        var errors = ConfigurationFile.Validate(fullPath);
        return new ConfigCheck(fullPath, errors.Count == 0, errors);
    }

    private static async Task WriteAsync(TextWriter output, ConfigCheck file)
    {
        if (file.Valid)
        {
            await output.WriteLineAsync($"ok: {file.Path}: configuration is valid");
            return;
        }

        await output.WriteLineAsync($"error: {file.Path}: {file.Errors.Count} configuration error{(file.Errors.Count == 1 ? "" : "s")}");
        foreach (var error in file.Errors)
        {
            await output.WriteLineAsync($"  - {error}");
        }
    }
}
