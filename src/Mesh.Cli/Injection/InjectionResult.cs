namespace Mesh.Cli.Injection;

/// <summary>One workload of the input and what happened to it.</summary>
/// <param name="Resource">The workload, as <c>Kind/name</c>.</param>
/// <param name="Outcome">Injected, unchanged or skipped.</param>
/// <param name="Reason">Why it was skipped; null otherwise.</param>
internal sealed record InjectionResult(string Resource, InjectionOutcome Outcome, string? Reason = null);
