namespace Mesh.Cli.Injection;

/// <summary>What <c>mesh inject</c> did to one workload.</summary>
internal enum InjectionOutcome
{
    /// <summary>The sidecar, the init container and the volumes were added (or brought up to date).</summary>
    Injected,

    /// <summary>It was already injected as it would be now: nothing changed.</summary>
    Unchanged,

    /// <summary>Left alone, for the reason given (<c>mesh.io/inject: disabled</c>, <c>hostNetwork</c>).</summary>
    Skipped,
}
