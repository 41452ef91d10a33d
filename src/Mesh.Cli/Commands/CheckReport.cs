namespace Mesh.Cli.Commands;

/// <summary>What <c>mesh check --output json</c> prints: the file's verdict (when <c>--config</c> was given) and the admin endpoint's readiness.</summary>
/// <param name="Config">The configuration file's check; null without <c>--config</c>.</param>
/// <param name="Admin">What the admin endpoint's <c>/ready</c> said.</param>
internal sealed record CheckReport(ConfigCheck? Config, AdminCheck Admin);
