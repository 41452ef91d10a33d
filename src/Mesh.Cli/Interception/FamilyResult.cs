namespace Mesh.Cli.Interception;

/// <summary>What <c>apply</c> or <c>remove</c> did to one family's nat table.</summary>
/// <param name="Family">IPv4 or IPv6.</param>
/// <param name="Restore">The restore binary it ran; null when the family was left alone (IPv6 only: not installed, or off in the namespace).</param>
/// <param name="Input">What it fed that binary; null when there was nothing to do.</param>
/// <param name="Summary">One line for a person: what changed, or why nothing did.</param>
internal sealed record FamilyResult(IptablesFamily Family, string? Restore, string? Input, string Summary);
