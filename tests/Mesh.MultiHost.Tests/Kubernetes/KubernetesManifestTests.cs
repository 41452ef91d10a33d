using System.Text;
using System.Text.Json;
using Mesh.Discovery.Dns.Configuration;
using Mesh.MultiHost.Tests.Infrastructure;
using Mesh.ProxyHost.Configuration;
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
        var configuration = SidecarConfiguration();

        Assert.Empty(MeshConfigurationValidator.Validate(configuration));
        Assert.Empty(MeshDnsOptionsValidator.Validate(configuration));
        Assert.Equal("0.0.0.0:4191", configuration["Mesh:Admin:Listen"]);
        Assert.Equal("true", configuration["Mesh:Admin:AllowNonLoopback"], ignoreCase: true);
    }

    [Fact]
    public void Sidecar_ReadsTheConfigMapAsAFile_AndPollsItForChanges()
    {
        var pod = PodSpec();
        var mesh = Container(pod, "mesh");
        Assert.Contains("--Mesh:ConfigFile=/etc/mesh/mesh.json", Items(mesh, "args").Select(a => ((YamlScalarNode)a).Value));
        Assert.Equal("true", Env(mesh)["DOTNET_USE_POLLING_FILE_WATCHER"]);

        var mount = Assert.Single(Items(mesh, "volumeMounts"), m => Scalar(m, "mountPath") == "/etc/mesh");
        var volume = Assert.Single(Items(pod, "volumes"), v => Scalar(v, "name") == Scalar(mount, "name"));
        Assert.Equal(Scalar(_manifests.Single("ConfigMap"), "metadata", "name"), Scalar(volume, "configMap", "name"));
        Assert.Contains(Items(volume, "configMap", "items"), i => Scalar(i, "key") == "mesh.json" && Scalar(i, "path") == "mesh.json");
    }

    [Fact]
    public void Probes_AskTheAdminPort_ThatTheSidecarListensOnAndDeclares()
    {
        var mesh = Container(PodSpec(), "mesh");
        var adminPort = int.Parse(SidecarConfiguration()["Mesh:Admin:Listen"]!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (probe, path) in new[] { ("readinessProbe", "/ready"), ("livenessProbe", "/live") })
        {
            Assert.Equal(path, Scalar(mesh, probe, "httpGet", "path"));
            Assert.Equal(adminPort, ContainerPort(mesh, Scalar(mesh, probe, "httpGet", "port")!));
        }
    }

    [Fact]
    public void PrometheusAnnotations_PointAtTheSidecarsMetrics()
    {
        var annotations = Map(_manifests.Single("Deployment"), "spec", "template", "metadata", "annotations");
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
        Assert.Equal(ContainerPort(Container(PodSpec(), "mesh"), "mesh-admin").ToString(System.Globalization.CultureInfo.InvariantCulture), annotations["prometheus.io/port"]);
    }

    [Fact]
    public void EveryContainer_RunsAsNonRoot_WithoutPrivilegesOrCapabilities_OnAReadOnlyRoot()
    {
        var pod = PodSpec();
        Assert.Equal("true", Scalar(pod, "securityContext", "runAsNonRoot"));
        Assert.All(Items(pod, "containers"), c =>
        {
            var name = Scalar(c, "name");
            Assert.True(Scalar(c, "securityContext", "runAsNonRoot") == "true", $"{name}: runAsNonRoot");
            Assert.True(Scalar(c, "securityContext", "allowPrivilegeEscalation") == "false", $"{name}: allowPrivilegeEscalation");
            Assert.True(Scalar(c, "securityContext", "readOnlyRootFilesystem") == "true", $"{name}: readOnlyRootFilesystem");
            Assert.Equal(["ALL"], Items(c, "securityContext", "capabilities", "drop").Select(n => ((YamlScalarNode)n).Value));
            Assert.Empty(Items(c, "securityContext", "capabilities", "add"));
        });
    }

    [Fact]
    public void Sidecar_RequestsResources()
    {
        var mesh = Container(PodSpec(), "mesh");
        Assert.Equal("100m", Scalar(mesh, "resources", "requests", "cpu"));
        Assert.Equal("64Mi", Scalar(mesh, "resources", "requests", "memory"));
    }

    [Fact]
    public void GracePeriod_CoversPreStopAndTheSidecarsDrain()
    {
        var pod = PodSpec();
        var mesh = Container(pod, "mesh");
        var configuration = SidecarConfiguration();
        var preStop = TimeSpan.FromSeconds(int.Parse(Scalar(mesh, "lifecycle", "preStop", "sleep", "seconds") ?? "0", System.Globalization.CultureInfo.InvariantCulture));
        var drain = TimeSpan.Parse(configuration["Mesh:Proxy:DrainDelay"]!, System.Globalization.CultureInfo.InvariantCulture) +
            TimeSpan.Parse(configuration["Mesh:Proxy:DrainTimeout"]!, System.Globalization.CultureInfo.InvariantCulture);
        var grace = TimeSpan.FromSeconds(int.Parse(Scalar(pod, "terminationGracePeriodSeconds")!, System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(grace >= preStop + drain, $"terminationGracePeriodSeconds {grace.TotalSeconds} < preStop {preStop.TotalSeconds} + drain {drain.TotalSeconds}");

        // The application outlives the sidecar's drain, so requests the sidecar already accepted still find it.
        var app = Container(pod, "app");
        var appPreStop = int.Parse(Scalar(app, "lifecycle", "preStop", "sleep", "seconds") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(TimeSpan.FromSeconds(appPreStop) >= preStop + drain, $"the app's preStop ({appPreStop} s) should cover the sidecar's preStop and drain ({(preStop + drain).TotalSeconds} s)");
        Assert.True(grace > TimeSpan.FromSeconds(appPreStop), "the app needs time to exit after its preStop");
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

        var inbound = int.Parse(SidecarConfiguration()["Mesh:Proxy:Inbound:Listen"]!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(inbound, ContainerPort(Container(PodSpec(), "mesh"), Scalar(port, "targetPort")!));
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

    private static YamlMappingNode Container(YamlNode pod, string name) =>
        Assert.IsType<YamlMappingNode>(Assert.Single(Items(pod, "containers"), c => Scalar(c, "name") == name));

    private static Dictionary<string, string> Env(YamlNode container) =>
        Items(container, "env").Where(e => Scalar(e, "value") is not null).ToDictionary(e => Scalar(e, "name")!, e => Scalar(e, "value")!);

    /// <summary>The container port a probe or Service names (by port name or number); fails when the container declares none such.</summary>
    private static int ContainerPort(YamlNode container, string nameOrNumber)
    {
        var ports = Items(container, "ports").ToList();
        var port = ports.SingleOrDefault(p => Scalar(p, "name") == nameOrNumber || Scalar(p, "containerPort") == nameOrNumber);
        Assert.True(port is not null, $"container '{Scalar(container, "name")}' declares no port '{nameOrNumber}'; it declares {string.Join(", ", ports.Select(p => $"{Scalar(p, "name")}={Scalar(p, "containerPort")}"))}");
        return int.Parse(Scalar(port, "containerPort")!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private IConfigurationRoot SidecarConfiguration()
    {
        var json = Map(_manifests.Single("ConfigMap"), "data")["mesh.json"];
        using (JsonDocument.Parse(json))
        {
            // Valid JSON, or this throws with the position.
        }

        return new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
    }
}
