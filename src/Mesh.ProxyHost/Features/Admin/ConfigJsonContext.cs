using System.Text.Json.Serialization;

namespace Mesh.ProxyHost.Features.Admin;

/// <summary>
/// The JSON of <c>/config</c>, generated at compile time (no reflection: the sidecar publishes with NativeAOT).
/// Indented, for a person with curl. It is the sidecar's own, apart from <see cref="Mesh.Admin.MeshAdminJsonContext"/>:
/// only the sidecar serves <c>/config</c> and no other package reads it, so its records stay internal here rather
/// than widen a library's public surface.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ConfigDocument))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
