using Mesh.MultiHost.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using static Mesh.MultiHost.Tests.Kubernetes.Manifests;

namespace Mesh.MultiHost.Tests.Kubernetes;

/// <summary>
/// deploy/kubernetes checked without a cluster (none is available in CI): every document parses, has what the API
/// server would require, and agrees with the others and with the sidecar's own configuration validator.
/// </summary>
public class KubernetesManifestTests
{
    private readonly Manifests _manifests = Manifests.Load();

    [Fact]
    public void EveryDocument_HasApiVersionKindAndName()
    {
        Assert.NotEmpty(_manifests.Documents);
        Assert.All(_manifests.Documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(Scalar(d.Root, "apiVersion")), $"{d.File}: apiVersion");
            Assert.False(string.IsNullOrEmpty(Scalar(d.Root, "kind")), $"{d.File}: kind");
            if (Scalar(d.Root, "kind") != "Kustomization")
            {
                Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", Scalar(d.Root, "metadata", "name") ?? "");
            }
        });
    }

    [Fact]
    public void Kustomization_ListsEveryManifestInTheFolder()
    {
        var kustomization = _manifests.Single("Kustomization");
        var resources = Items(kustomization, "resources").Select(n => ((YamlScalarNode)n).Value!).Order(StringComparer.Ordinal).ToArray();
        var files = _manifests.Documents.Select(d => d.File).Where(f => f != "kustomization.yaml").Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(files, resources);
    }

    [Fact]
    public void ConfigMap_HoldsAValidSidecarConfiguration()
    {
        SidecarPodChecks.ConfigurationIsValid(SidecarConfiguration());
    }

    [Fact]
    public void Sidecar_ReadsTheConfigMapAsAFile_AndPollsItForChanges()
    {
        SidecarPodChecks.ReadsConfigMap(PodSpec(), Sidecar(), Scalar(_manifests.Single("ConfigMap"), "metadata", "name")!);
    }

    [Fact]
    public void Probes_AskTheAdminPort_ThatTheSidecarListensOnAndDeclares()
    {
        SidecarPodChecks.ProbesAskTheAdminPort(Sidecar(), SidecarConfiguration());
    }

    [Fact]
    public void PrometheusAnnotations_PointAtTheSidecarsMetrics()
    {
        SidecarPodChecks.PrometheusScrapesTheSidecar(Node(_manifests.Single("Deployment"), "spec", "template", "metadata")!, Sidecar(), SidecarConfiguration());
    }

    [Fact]
    public void EveryContainer_RunsAsNonRoot_WithoutPrivilegesOrCapabilities_OnAReadOnlyRoot()
    {
        var pod = PodSpec();
        Assert.Equal("true", Scalar(pod, "securityContext", "runAsNonRoot"));
        Assert.All(Items(pod, "containers"), c => SidecarPodChecks.IsLockedDown(pod, c));
    }

    [Fact]
    public void Sidecar_RunsAsTheProxyUser_ThatNoOtherContainerShares()
    {
        // 2102, the --proxy-uid of mesh iptables and mesh inject: the same pod works unchanged once interception is on.
        var pod = PodSpec();
        Assert.Equal("2102", Scalar(Sidecar(), "securityContext", "runAsUser"));
        Assert.All(Items(pod, "containers").Where(c => Scalar(c, "name") != SidecarPodChecks.SidecarName), c => Assert.NotEqual("2102", Scalar(c, "securityContext", "runAsUser")));
    }

    [Fact]
    public void Sidecar_RequestsResources()
    {
        SidecarPodChecks.RequestsResources(Sidecar());
    }

    [Fact]
    public void GracePeriod_CoversPreStopAndTheSidecarsDrain()
    {
        var pod = PodSpec();
        var sidecarStop = SidecarPodChecks.GraceCoversTheDrain(pod, Sidecar(), SidecarConfiguration());

        // The application outlives the sidecar's drain, so requests the sidecar already accepted still find it.
        var app = Container(pod, "app");
        var appPreStop = int.Parse(Scalar(app, "lifecycle", "preStop", "sleep", "seconds") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(TimeSpan.FromSeconds(appPreStop) >= sidecarStop, $"the app's preStop ({appPreStop} s) should cover the sidecar's preStop and drain ({sidecarStop.TotalSeconds} s)");
        var grace = int.Parse(Scalar(pod, "terminationGracePeriodSeconds")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(grace > appPreStop, "the app needs time to exit after its preStop");
    }

    [Fact]
    public void HeadlessService_PublishesSrvForTheSidecarsInboundPort()
    {
        var service = _manifests.OfKind("Service").Single(s => Scalar(s, "spec", "clusterIP") == "None");
        var port = Assert.Single(Items(service, "spec", "ports"), p => Scalar(p, "name") == "http");
        Assert.Equal("TCP", Scalar(port, "protocol") ?? "TCP");

        var deployment = _manifests.Single("Deployment");
        var podLabels = Map(deployment, "spec", "template", "metadata", "labels");
        Assert.All(Map(service, "spec", "selector"), l => Assert.Equal(l.Value, podLabels.GetValueOrDefault(l.Key)));
        Assert.All(Map(deployment, "spec", "selector", "matchLabels"), l => Assert.Equal(l.Value, podLabels.GetValueOrDefault(l.Key)));

        var inbound = SidecarPodChecks.ListenPort(SidecarConfiguration(), "Mesh:Proxy:Inbound:Listen");
        Assert.Equal(inbound, SidecarPodChecks.ContainerPort(Sidecar(), Scalar(port, "targetPort")!));
        Assert.Equal(inbound.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(port, "port"));
    }

    [KubectlFact]
    public async Task Kustomize_BuildsTheFolder_WithoutACluster()
    {
        var result = await Shell.RunAsync("kubectl", ["kustomize", _manifests.Folder]);
        Assert.True(result.Ok, $"kubectl kustomize failed: {result.Error}");

        var stream = new YamlStream();
        stream.Load(new StringReader(result.Output));
        var kinds = stream.Documents.Select(d => Scalar(d.RootNode, "kind") ?? "").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["ConfigMap", "Deployment", "Service"], kinds);
    }

    private YamlMappingNode PodSpec() => Assert.IsType<YamlMappingNode>(Node(_manifests.Single("Deployment"), "spec", "template", "spec"));

    private YamlMappingNode Sidecar() => SidecarPodChecks.Sidecar(PodSpec());

    private static YamlMappingNode Container(YamlNode pod, string name) =>
        Assert.IsType<YamlMappingNode>(Assert.Single(Items(pod, "containers"), c => Scalar(c, "name") == name));

    private IConfigurationRoot SidecarConfiguration() => SidecarPodChecks.SidecarConfiguration(Sidecar(), Map(_manifests.Single("ConfigMap"), "data")["mesh.json"]);
}
