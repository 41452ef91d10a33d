using System.Text.Json.Serialization;

namespace Mesh.Cli.Commands;

/// <summary>
/// The JSON the CLI writes itself (<c>mesh check</c>, <c>mesh iptables</c> and <c>mesh identity</c> with <c>--output json</c>; the other commands print the admin endpoint's
/// own JSON), source-generated and snake_case like the admin endpoints'.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CheckReport))]
[JsonSerializable(typeof(Iptables.IptablesReport))]
[JsonSerializable(typeof(Identity.IdentityReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
