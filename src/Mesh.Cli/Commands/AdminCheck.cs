using Mesh.Cli.Admin;

namespace Mesh.Cli.Commands;

/// <summary>The admin endpoint's readiness.</summary>
/// <param name="Address">The admin endpoint's base address.</param>
/// <param name="State"><c>ready</c>, <c>not_ready</c> or <c>unreachable</c>.</param>
/// <param name="Detail">What it answered, or why it could not be asked.</param>
internal sealed record AdminCheck(string Address, ReadinessState State, string Detail);
