namespace Mesh.MultiHost.Tests.Kubernetes;

/// <summary>A fact that needs kubectl (for <c>kubectl kustomize</c>, which needs no cluster); skipped with the reason where it is missing.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (Infrastructure.Tools.Find("kubectl") is null)
        {
            Skip = "kubectl is not installed; the manifest checks that need no tool still ran";
        }
    }
}
