using System.Globalization;
using System.Text;
using System.Text.Json;
using Mesh.Discovery.Dns.Configuration;
using Mesh.ProxyHost.Configuration;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using static Mesh.MultiHost.Tests.Kubernetes.Manifests;

namespace Mesh.MultiHost.Tests.Kubernetes;

/// <summary>
/// What a pod with the Mesh sidecar must get right, whoever wrote it: deploy/kubernetes by hand
/// (<see cref="KubernetesManifestTests"/>) or <c>mesh inject</c> (Mesh.Cli.Tests, which compiles this file in). Each
/// check reads the pod as the API server and the sidecar would: the sidecar's configuration is its ConfigMap's JSON,
/// then its environment, then its arguments, validated by the sidecar's own validators.
/// </summary>
public static class SidecarPodChecks
{
    public const string SidecarName = "mesh";
    public const string InitName = "mesh-init";

    /// <summary>The sidecar: in <c>containers</c>, or in <c>initContainers</c> as a native sidecar (<c>restartPolicy: Always</c>).</summary>
    public static YamlMappingNode Sidecar(YamlNode podSpec)
    {
        var found = Items(podSpec, "containers").Concat(Items(podSpec, "initContainers")).Where(c => Scalar(c, "name") == SidecarName).ToList();
        var sidecar = Assert.IsType<YamlMappingNode>(Assert.Single(found));
        if (Items(podSpec, "initContainers").Contains(sidecar))
        {
            Assert.Equal("Always", Scalar(sidecar, "restartPolicy"));
        }

        return sidecar;
    }

    /// <summary>The sidecar's configuration as it starts: <paramref name="configMapJson"/> (its <c>Mesh:ConfigFile</c>), then its environment (<c>__</c> as <c>:</c>), then its <c>--Key=Value</c> arguments.</summary>
    public static IConfigurationRoot SidecarConfiguration(YamlNode sidecar, string configMapJson)
    {
        using (JsonDocument.Parse(configMapJson))
        {
            // Valid JSON, or this throws with the position.
        }

        var environment = Items(sidecar, "env").Where(e => Scalar(e, "value") is not null)
            .Select(e => KeyValuePair.Create(Scalar(e, "name")!.Replace("__", ":", StringComparison.Ordinal), Scalar(e, "value")));
        var arguments = Items(sidecar, "args").Select(a => ((YamlScalarNode)a).Value!).ToArray();
        return new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(configMapJson)))
            .AddInMemoryCollection(environment)
            .AddCommandLine(arguments)
            .Build();
    }

    /// <summary>The sidecar's own validators find nothing wrong, and the admin listener is reachable by the kubelet.</summary>
    public static void ConfigurationIsValid(IConfiguration configuration)
    {
        Assert.Empty(MeshConfigurationValidator.Validate(configuration));
        Assert.Empty(MeshDnsOptionsValidator.Validate(configuration));
        Assert.Equal("0.0.0.0", ListenHost(configuration, "Mesh:Admin:Listen"));
        Assert.Equal("true", configuration["Mesh:Admin:AllowNonLoopback"], ignoreCase: true);
    }

    /// <summary>The sidecar reads <paramref name="configMap"/>'s mesh.json as a directory mount (no subPath: that never sees updates) and polls it for changes.</summary>
    public static void ReadsConfigMap(YamlNode podSpec, YamlNode sidecar, string configMap)
    {
        Assert.Contains("--Mesh:ConfigFile=/etc/mesh/mesh.json", Items(sidecar, "args").Select(a => ((YamlScalarNode)a).Value));
        Assert.Equal("true", Env(sidecar)["DOTNET_USE_POLLING_FILE_WATCHER"]);

        var mount = Assert.Single(Items(sidecar, "volumeMounts"), m => Scalar(m, "mountPath") == "/etc/mesh");
        Assert.Null(Scalar(mount, "subPath"));
        var volume = Assert.Single(Items(podSpec, "volumes"), v => Scalar(v, "name") == Scalar(mount, "name"));
        Assert.Equal(configMap, Scalar(volume, "configMap", "name"));
        Assert.Contains(Items(volume, "configMap", "items"), i => Scalar(i, "key") == "mesh.json" && Scalar(i, "path") == "mesh.json");
    }

    /// <summary>Readiness asks <c>/ready</c> and liveness <c>/live</c>, on a port the sidecar declares and its admin listener listens on.</summary>
    public static void ProbesAskTheAdminPort(YamlNode sidecar, IConfiguration configuration)
    {
        var adminPort = ListenPort(configuration, "Mesh:Admin:Listen");
        foreach (var (probe, path) in new[] { ("readinessProbe", "/ready"), ("livenessProbe", "/live") })
        {
            Assert.Equal(path, Scalar(sidecar, probe, "httpGet", "path"));
            Assert.Equal(adminPort, ContainerPort(sidecar, Scalar(sidecar, probe, "httpGet", "port")!));
        }
    }

    /// <summary>The pod's annotations send an annotation-driven Prometheus to the sidecar's <c>/metrics</c>.</summary>
    public static void PrometheusScrapesTheSidecar(YamlNode podMetadata, YamlNode sidecar, IConfiguration configuration)
    {
        var annotations = Map(podMetadata, "annotations");
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
        var port = ContainerPort(sidecar, "mesh-admin");
        Assert.Equal(ListenPort(configuration, "Mesh:Admin:Listen"), port);
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), annotations["prometheus.io/port"]);
    }

    /// <summary>Non-root, no privilege escalation, every capability dropped and none added, read-only root.</summary>
    public static void IsLockedDown(YamlNode podSpec, YamlNode container)
    {
        var name = Scalar(container, "name");
        Assert.True((Scalar(container, "securityContext", "runAsNonRoot") ?? Scalar(podSpec, "securityContext", "runAsNonRoot")) == "true", $"{name}: runAsNonRoot");
        Assert.True(Scalar(container, "securityContext", "allowPrivilegeEscalation") == "false", $"{name}: allowPrivilegeEscalation");
        Assert.True(Scalar(container, "securityContext", "readOnlyRootFilesystem") == "true", $"{name}: readOnlyRootFilesystem");
        Assert.Equal(["ALL"], Items(container, "securityContext", "capabilities", "drop").Select(n => ((YamlScalarNode)n).Value));
        Assert.Empty(Items(container, "securityContext", "capabilities", "add"));
    }

    public static void RequestsResources(YamlNode sidecar)
    {
        Assert.Equal("100m", Scalar(sidecar, "resources", "requests", "cpu"));
        Assert.Equal("64Mi", Scalar(sidecar, "resources", "requests", "memory"));
        Assert.NotNull(Scalar(sidecar, "resources", "limits", "memory"));
    }

    /// <summary>The sidecar's preStop sleep and drain (DrainDelay + DrainTimeout) end within the grace period, so the kubelet never kills it mid-drain.</summary>
    public static TimeSpan GraceCoversTheDrain(YamlNode podSpec, YamlNode sidecar, IConfiguration configuration)
    {
        var preStop = TimeSpan.FromSeconds(int.Parse(Scalar(sidecar, "lifecycle", "preStop", "sleep", "seconds") ?? "0", CultureInfo.InvariantCulture));
        var drain = TimeSpan.Parse(configuration["Mesh:Proxy:DrainDelay"] ?? "00:00:01", CultureInfo.InvariantCulture) +
            TimeSpan.Parse(configuration["Mesh:Proxy:DrainTimeout"] ?? "00:00:30", CultureInfo.InvariantCulture);
        var grace = TimeSpan.FromSeconds(int.Parse(Scalar(podSpec, "terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture));
        Assert.True(grace >= preStop + drain, $"terminationGracePeriodSeconds {grace.TotalSeconds} < preStop {preStop.TotalSeconds} + drain {drain.TotalSeconds}");
        return preStop + drain;
    }

    /// <summary>
    /// The init container runs <c>mesh iptables apply</c> with only NET_ADMIN and NET_RAW, pointing the rules at the
    /// ports the sidecar listens on and exempting the user it runs as, which no other container shares.
    /// </summary>
    public static void InterceptsWithLeastPrivilege(YamlNode podSpec, YamlNode sidecar, IConfiguration configuration)
    {
        var initContainers = Items(podSpec, "initContainers").ToList();
        var init = Assert.Single(initContainers, c => Scalar(c, "name") == InitName);
        var sidecarIndex = initContainers.IndexOf(sidecar);
        Assert.True(sidecarIndex < 0 || sidecarIndex > initContainers.IndexOf(init), "a native sidecar starts after the rules are in place");

        var args = Items(init, "args").Select(a => ((YamlScalarNode)a).Value!).ToList();
        Assert.Equal(["iptables", "apply"], args.Take(2));
        string? Arg(string name) => args.IndexOf(name) is >= 0 and var i ? args[i + 1] : null;
        var proxyUid = Scalar(sidecar, "securityContext", "runAsUser");
        Assert.NotNull(proxyUid);
        Assert.Equal(Arg("--proxy-uid") ?? "2102", proxyUid);
        Assert.Equal((Arg("--outbound-port") ?? "4140"), ListenPort(configuration, "Mesh:Proxy:Outbound:Listen").ToString(CultureInfo.InvariantCulture));
        Assert.Equal((Arg("--inbound-port") ?? "4143"), ListenPort(configuration, "Mesh:Proxy:Inbound:Listen").ToString(CultureInfo.InvariantCulture));

        Assert.Equal("0", Scalar(init, "securityContext", "runAsUser"));
        Assert.Equal("false", Scalar(init, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal("true", Scalar(init, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], Items(init, "securityContext", "capabilities", "drop").Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal(["NET_ADMIN", "NET_RAW"], Items(init, "securityContext", "capabilities", "add").Select(n => ((YamlScalarNode)n).Value).Order(StringComparer.Ordinal));
        Assert.True(Scalar(init, "securityContext", "privileged") is null or "false", "mesh-init: privileged");
        Assert.All(Items(init, "volumeMounts"), m => Assert.Contains(Items(podSpec, "volumes"), v => Scalar(v, "name") == Scalar(m, "name")));

        // Any other container running as the proxy user would have its connections pass the rules unredirected.
        var podUser = Scalar(podSpec, "securityContext", "runAsUser");
        foreach (var other in Items(podSpec, "containers").Concat(initContainers).Where(c => c != sidecar && c != init))
        {
            Assert.True((Scalar(other, "securityContext", "runAsUser") ?? podUser) != proxyUid, $"{Scalar(other, "name")} runs as the proxy uid {proxyUid}");
        }
    }

    public static Dictionary<string, string> Env(YamlNode container) =>
        Items(container, "env").Where(e => Scalar(e, "value") is not null).ToDictionary(e => Scalar(e, "name")!, e => Scalar(e, "value")!);

    /// <summary>The container port a probe or Service names (by port name or number); fails when the container declares none such.</summary>
    public static int ContainerPort(YamlNode container, string nameOrNumber)
    {
        var ports = Items(container, "ports").ToList();
        var port = ports.SingleOrDefault(p => Scalar(p, "name") == nameOrNumber || Scalar(p, "containerPort") == nameOrNumber);
        Assert.True(port is not null, $"container '{Scalar(container, "name")}' declares no port '{nameOrNumber}'; it declares {string.Join(", ", ports.Select(p => $"{Scalar(p, "name")}={Scalar(p, "containerPort")}"))}");
        return int.Parse(Scalar(port, "containerPort")!, CultureInfo.InvariantCulture);
    }

    public static int ListenPort(IConfiguration configuration, string key)
    {
        var address = configuration[key];
        Assert.False(string.IsNullOrEmpty(address), $"{key} is not set");
        return int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    private static string ListenHost(IConfiguration configuration, string key)
    {
        var address = configuration[key]!;
        return address[..address.LastIndexOf(':')];
    }
}
