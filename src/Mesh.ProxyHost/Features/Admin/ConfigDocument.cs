using Mesh.ProxyHost.Configuration;

namespace Mesh.ProxyHost.Features.Admin;

/// <summary>The answer of the sidecar's <c>GET /config</c>: the last reload, the configuration in effect, and each service's endpoints now.</summary>
/// <param name="Reload">How the last (re)load went.</param>
/// <param name="Configuration">Mesh's own sections of the configuration in effect.</param>
/// <param name="Endpoints">Each service's endpoints and their state, by service name.</param>
/// <param name="Identity">The sidecar's identity and how near its expiry is; null when it has none.</param>
internal sealed record ConfigDocument(ReloadStatus Reload, ConfigurationSections Configuration, IReadOnlyDictionary<string, IReadOnlyList<ConfiguredEndpoint>> Endpoints, IdentityDocument? Identity = null);
