using System.Text.Json.Serialization;
using Mesh.Tap;

namespace Mesh.Admin;

/// <summary>
/// The JSON of the admin endpoints' <c>/stats</c> (<see cref="StatsDocument"/>) and <c>/tap</c> (one
/// <see cref="TapEvent"/> per line), generated at compile time: no reflection, so trimming and NativeAOT safe. The
/// endpoints write with it and the <c>mesh</c> CLI reads with it, so the two cannot drift apart. Names are snake_case;
/// nulls are written; a reader skips fields it does not know, so a newer server's additions do not break an older
/// reader. docs/observability.md describes every field.
/// </summary>
/// <remarks>
/// It lives in Mesh.Core, the one library every side already references, rather than in Mesh.AspNetCore beside the
/// handlers: what the documents are made from (<see cref="Stats.ServiceSnapshot"/>, <see cref="TapEvent"/>) is here,
/// and a reader (the CLI, a script's helper, a test) needs no ASP.NET Core to parse them.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(StatsDocument))]
[JsonSerializable(typeof(TapEvent))]
public sealed partial class MeshAdminJsonContext : JsonSerializerContext;
