namespace Mesh.Cli.Admin;

/// <summary>What <c>GET /ready</c> said.</summary>
internal enum ReadinessState
{
    Ready,
    NotReady,
    Unreachable,
}

/// <summary>The admin endpoint's readiness, with what it answered or why it could not be asked.</summary>
internal sealed record Readiness(ReadinessState State, string Detail);
