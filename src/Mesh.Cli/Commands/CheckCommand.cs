using System.CommandLine;
using System.Text.Json;
using Mesh.Cli.Admin;
using Mesh.Cli.Options;
using Mesh.ProxyHost.Features.Admin;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>mesh check</c>: validates a sidecar configuration file offline (<c>--config</c>, identity files included; exit 3
/// listing every error with its key) and asks the admin endpoint whether it is ready and how its identity stands. With a
/// file, an unreachable or unready admin is only a warning, so the check works in CI before anything runs; without one,
/// it is the answer (exit 1). An identity under a fifth of its lifetime is a warning; an expired one fails (exit 5).
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
        var identity = readiness.State == ReadinessState.Unreachable ? null : await IdentityOf(client, context, cancellationToken);
        var exitCode = file is { Valid: false } ? ExitCodes.ConfigurationErrors
            : identity is { State: IdentityExpiry.Expired } ? ExitCodes.IdentityError
            : readiness.State != ReadinessState.Ready && file is null ? ExitCodes.AdminError
            : ExitCodes.Ok;

        if (context.Output == OutputFormat.Json)
        {
            var report = new CheckReport(file, new AdminCheck(context.Admin.ToString(), readiness.State, readiness.Detail), identity);
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

        await WriteAsync(context, identity);
        return exitCode;
    }

    // The identity as /config shows it; a /config that cannot be read is a warning: readiness was the question asked.
    private static async Task<IdentityDocument?> IdentityOf(AdminClient client, CommandContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetIdentityAsync(cancellationToken);
        }
        catch (AdminException ex)
        {
            await context.Error.WriteLineAsync($"warning: identity not checked: {ex.Message}");
            return null;
        }
    }

    private static async Task WriteAsync(CommandContext context, IdentityDocument? identity)
    {
        if (identity is null)
        {
            return;
        }

        switch (identity.State)
        {
            case IdentityExpiry.Expired:
                await context.Error.WriteLineAsync($"mesh: identity: {identity.Warning}");
                break;
            case IdentityExpiry.Expiring:
                await context.Error.WriteLineAsync($"warning: identity: {identity.Warning}");
                break;
            default:
                if (context.Output == OutputFormat.Table)
                {
                    await context.Out.WriteLineAsync($"ok: identity {identity.SpiffeId}: valid until {IdentityExpiry.Utc(identity.NotAfter)}");
                }

                break;
        }
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
