using YamlDotNet.RepresentationModel;

namespace Mesh.Cli.Injection;

/// <summary>A workload's annotations as <c>mesh inject</c> reads them: the pod template's first, then the workload's own.</summary>
internal sealed class PodAnnotations(YamlNode? pod, YamlNode? workload)
{
    /// <summary>The value of <paramref name="key"/>, or null when neither has it.</summary>
    public string? this[string key] => Of(pod, key) ?? Of(workload, key);

    private static string? Of(YamlNode? annotations, string key) => Manifests.YamlNodes.Text(annotations, key);
}
