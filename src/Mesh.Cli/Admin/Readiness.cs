using System.Text.Json.Serialization;

namespace Mesh.Cli.Admin;

/// <summary>What <c>GET /ready</c> said (as <c>mesh check --output json</c> names it).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReadinessState>))]
internal enum ReadinessState
{
    [JsonStringEnumMemberName("ready")]
    Ready,

    [JsonStringEnumMemberName("not_ready")]
    NotReady,

    [JsonStringEnumMemberName("unreachable")]
    Unreachable,
}

/// <summary>The admin endpoint's readiness, with what it answered or why it could not be asked.</summary>
internal sealed record Readiness(ReadinessState State, string Detail);
