namespace Mesh.Cli.Injection;

/// <summary>What one run of <c>mesh inject</c> found: each workload's outcome, notes for the user, and the errors that stop it.</summary>
internal sealed class InjectionReport
{
    public List<InjectionResult> Results { get; } = [];

    /// <summary>Gets things worth knowing that do not stop the injection (a ConfigMap not in the input, Prometheus annotations left as they were).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Gets what is wrong with the input, each naming the document, the workload and the key; any error means no output.</summary>
    public List<string> Errors { get; } = [];
}
