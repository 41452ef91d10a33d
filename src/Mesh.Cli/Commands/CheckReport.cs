using Mesh.ProxyHost.Features.Admin;

namespace Mesh.Cli.Commands;

/// <summary>
/// What <c>mesh check --output json</c> prints: the file's verdict (when <c>--config</c> was given), the admin
/// endpoint's readiness, and the sidecar's identity as its <c>/config</c> shows it (null when it has none or could not
/// be asked).
/// </summary>
/// <param name="Config">The configuration file's check; null without <c>--config</c>.</param>
/// <param name="Admin">What the admin endpoint's <c>/ready</c> said.</param>
/// <param name="Identity">The sidecar's identity: its state (<c>ok</c>, <c>expiring</c>, <c>expired</c>), expiry and warning.</param>
internal sealed record CheckReport(ConfigCheck? Config, AdminCheck Admin, IdentityDocument? Identity = null);
