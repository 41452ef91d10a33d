namespace Mesh.Cli.Injection;

/// <summary>
/// The kinds <c>mesh inject</c> injects, and where each keeps its pod: a Pod is one; Deployment, StatefulSet,
/// DaemonSet, ReplicaSet and Job hold a template under <c>spec.template</c>; a CronJob under
/// <c>spec.jobTemplate.spec.template</c>. Only in the API groups Kubernetes defines them in: a custom resource that
/// happens to be called Deployment is left alone.
/// </summary>
internal static class WorkloadKinds
{
    private static readonly string[] Template = ["spec", "template"];
    private static readonly string[] JobTemplate = ["spec", "jobTemplate", "spec", "template"];

    /// <summary>The path from the object to the mapping holding the pod's <c>metadata</c> and <c>spec</c>; null when not a workload.</summary>
    public static string[]? PodPath(string? apiVersion, string? kind)
    {
        var group = apiVersion is null ? null : apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        return (kind, group) switch
        {
            ("Pod", "") => [],
            ("Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet", "apps" or "extensions") => Template,
            ("Job", "batch") => Template,
            ("CronJob", "batch") => JobTemplate,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="kind"/> is a list of objects (<c>kubectl get -o yaml</c> writes <c>List</c>).</summary>
    public static bool IsList(string? kind) => kind is not null && kind.EndsWith("List", StringComparison.Ordinal);
}
