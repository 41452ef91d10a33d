using System.Text.Json.Serialization;

namespace Mesh.Cli.Commands;

/// <summary>
/// The JSON the CLI writes itself (<c>mesh check --output json</c>; the other commands print the admin endpoint's
/// own JSON), source-generated and snake_case like the admin endpoints'.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CheckReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
