using Mesh.Cli.Interception;

namespace Mesh.Cli.Commands.Iptables;

/// <summary>What <c>mesh iptables apply|print|remove --output json</c> prints.</summary>
/// <param name="Command"><c>apply</c>, <c>print</c> or <c>remove</c>.</param>
/// <param name="Backend">The back-end used (for print: the one asked for, or null).</param>
/// <param name="Families">One entry per family: the binary, the restore input, a summary.</param>
internal sealed record IptablesReport(string Command, IptablesBackend? Backend, IReadOnlyList<FamilyResult> Families);
