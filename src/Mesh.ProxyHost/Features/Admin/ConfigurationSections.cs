using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Mesh.ProxyHost.Features.Admin;

/// <summary>
/// Only Mesh's own sections, as trees of strings (what configuration holds): the environment the sidecar runs in may
/// hold secrets. Named as the configuration names them, not snake_case.
/// </summary>
/// <param name="Mesh">The <c>Mesh</c> section.</param>
/// <param name="Services">The <c>Services</c> section (endpoints).</param>
internal sealed record ConfigurationSections(
    [property: JsonPropertyName("Mesh")] JsonObject Mesh,
    [property: JsonPropertyName("Services")] JsonObject Services);
