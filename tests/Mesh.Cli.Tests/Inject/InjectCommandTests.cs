using Mesh.Cli.Tests.Infrastructure;
using Mesh.Cli.Tests.Infrastructure.Netns;
using Mesh.MultiHost.Tests.Infrastructure;
using Mesh.MultiHost.Tests.Kubernetes;
using static Mesh.MultiHost.Tests.Kubernetes.Manifests;

namespace Mesh.Cli.Tests.Inject;

/// <summary>
/// <c>mesh inject</c> as a user meets it: stdin (in-process, and through a real shell pipe), the options, what it
/// leaves alone, and input it refuses: each refusal names the document, the workload and the key, exits non-zero and
/// writes nothing, so <c>| kubectl apply -f -</c> applies nothing half-done.
/// </summary>
public class InjectCommandTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: orders
        spec:
          selector:
            matchLabels:
              app: orders
          template:
            metadata:
              labels:
                app: orders
            spec:
              containers:
                - name: app
                  image: orders:1.0

        """;

    [Fact]
    public async Task Dash_ReadsStdin()
    {
        var input = await File.ReadAllTextAsync(GoldenFiles.Input("deployment"));

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(await File.ReadAllTextAsync(GoldenFiles.Output("deployment")), result.Out);
        Assert.Equal("injected: Deployment/orders", result.Error.Split('\n')[0]);
    }

    [Fact]
    public async Task Dash_ReadsStdin_ThroughAShellPipe()
    {
        // What the docs show, minus kubectl: cat FILE | mesh inject - (the built CLI, a real process and pipe).
        var result = await Shell.RunAsync("/bin/sh", ["-c", "cat \"$1\" | \"$2\" \"$3\" inject -", "sh", GoldenFiles.Input("multi-document"), Command.Dotnet, NamespacedCli.Dll], TimeSpan.FromSeconds(60));

        Assert.True(result.Ok, result.Error);
        Assert.Equal(await File.ReadAllTextAsync(GoldenFiles.Output("multi-document")), result.Output);
        Assert.Contains("injected: Deployment/orders", result.Error, StringComparison.Ordinal);
        Assert.Contains("injected: Deployment/payments", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownFile_IsAUsageError_NamingTheFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"mesh-inject-missing-{Guid.NewGuid():N}.yaml");

        var result = await CliRunner.RunAsync("inject", missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.StartsWith($"mesh: FILE: no such file '{missing}'\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotYaml_ExitsFive_NamingTheLine_AndWritesNothing()
    {
        var result = await CliRunner.RunWithInputAsync("apiVersion: v1\nkind: Pod\nmetadata: {name: [oops\n", "inject", "-");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.StartsWith("mesh inject: stdin is not valid YAML: line 4, column 1: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADocumentThatIsNotAnObject_ExitsFive()
    {
        var result = await CliRunner.RunWithInputAsync(Deployment + "---\njust some text\n", "inject", "-");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("mesh inject: stdin: document 2: not a Kubernetes object (a mapping with apiVersion and kind)\n", result.Error);
    }

    [Fact]
    public async Task MalformedAnnotations_ExitFive_EachNamingItsWorkloadAndKey_AndNothingIsWritten()
    {
        var input = Deployment.Replace("      labels:\n        app: orders\n    spec:", "      labels:\n        app: orders\n      annotations:\n        mesh.io/skip-outbound-ports: \"5432,abc\"\n        mesh.io/opaque-ports: \"0\"\n    spec:", StringComparison.Ordinal)
            + "---\n" + Deployment.Replace("name: orders", "name: billing\n  annotations:\n    mesh.io/inject: maybe", StringComparison.Ordinal)
            + "---\n" + Deployment.Replace("name: orders", "name: search\n  annotations:\n    mesh.io/config-map: Search_Config", StringComparison.Ordinal);

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal(
        [
            "mesh inject: stdin: document 1 (Deployment/orders): mesh.io/skip-outbound-ports must be ports or ranges of 1-65535 separated by commas, such as 25,8000-8100, was '5432,abc': 'abc' is not a number",
            "mesh inject: stdin: document 1 (Deployment/orders): mesh.io/opaque-ports must be ports or ranges of 1-65535 separated by commas, such as 25,8000-8100, was '0': 0 is out of 1-65535",
            "mesh inject: stdin: document 2 (Deployment/billing): mesh.io/inject must be enabled or disabled, was 'maybe'",
            "mesh inject: stdin: document 3 (Deployment/search): mesh.io/config-map must be a ConfigMap name (lower-case letters, digits, '-' and '.'), was 'Search_Config'",
        ], result.Error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task AnErrorInAListItem_NamesTheItem()
    {
        const string input = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d, annotations: {mesh.io/inject: \"no\"}}\n  spec: {template: {spec: {containers: []}}}\n";

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("mesh inject: stdin: document 1, List item 2 (Deployment/d): mesh.io/inject must be enabled or disabled, was 'no'\n", result.Error);
    }

    [Fact]
    public async Task AContainerOnTheSidecarsPortOrUser_IsRefused()
    {
        // Its traffic would bypass the sidecar (iptables lets the proxy user's connections pass), or the sidecar
        // could not bind its admin port.
        var input = Deployment.Replace("          image: orders:1.0\n", "          image: orders:1.0\n          ports:\n            - containerPort: 4191\n          securityContext:\n            runAsUser: 2102\n", StringComparison.Ordinal);

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("document 1 (Deployment/orders): container 'app' declares port 4191, which the sidecar listens on", result.Error, StringComparison.Ordinal);
        Assert.Contains("document 1 (Deployment/orders): container 'app' runs as uid 2102, the sidecar's (--proxy-uid)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InjectAnnotation_EnabledInjects_DisabledLeavesTheWorkloadExactlyAsWritten()
    {
        var enabled = Deployment.Replace("name: orders", "name: orders\n  annotations:\n    mesh.io/inject: enabled", StringComparison.Ordinal);
        var disabled = Deployment.Replace("name: orders", "name: billing\n  annotations:\n    mesh.io/inject: disabled # not yet", StringComparison.Ordinal);

        var result = await CliRunner.RunWithInputAsync(enabled + "---\n" + disabled, "inject", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("---\n" + disabled, result.Out, StringComparison.Ordinal);
        var (pods, _) = InjectedPod.In(result.Out);
        Assert.Equal([true, false], pods.Select(p => p.HasSidecar));
        Assert.Equal(["injected: Deployment/orders", "skipped: Deployment/billing (mesh.io/inject: disabled)"], result.Error.Split('\n').Take(2));
    }

    [Fact]
    public async Task HostNetworkPod_IsLeftAlone_WithTheReason()
    {
        var input = Deployment.Replace("    spec:\n      containers:", "    spec:\n      hostNetwork: true\n      containers:", StringComparison.Ordinal);

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(input, result.Out);
        Assert.Contains("skipped: Deployment/orders (hostNetwork: true (the iptables rules would change the node's own network))", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoWorkload_WritesTheInputBackByteForByte_WithANote()
    {
        const string input = "# only a Service\napiVersion: v1\nkind: Service\nmetadata:\n  name: orders   # keep\nspec:\n  ports: [{port: 80}]\n---\napiVersion: example.com/v1\nkind: Deployment # a custom resource, not apps/v1\nmetadata:\n  name: x\n";

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(input, result.Out);
        Assert.StartsWith("note: no workload in the input", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlowStyleLists_AreWrittenAsBlocks_WhereMeshAddsToThem()
    {
        const string input = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {team: search}\nspec:\n  containers: [{name: app, image: search:1}]\n";

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.All(result.Out.Split('\n'), line => Assert.True(line.Length <= 120, $"a line of {line.Length} characters: {line}"));
        Assert.Contains("\n  - {name: app, image: 'search:1'}\n  - name: mesh\n", result.Out, StringComparison.Ordinal);
        Assert.Contains("\n  annotations:\n    team: search\n    prometheus.io/scrape: \"true\"\n", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommentsYamlDotNetCannotRead_AreLeftOutOfThatDocumentOnly_WithANote()
    {
        // YamlDotNet refuses a comment after a flow collection under a key when it reads comments; the document is
        // still read (without them), and the next document, untouched, keeps its own byte for byte.
        var first = Deployment.Replace("image: orders:1.0", "image: orders:1.0\n          args: [--port, \"8080\"] # why", StringComparison.Ordinal);
        const string second = "# the Service\napiVersion: v1\nkind: Service\nmetadata:\n  name: orders # same name\n";

        var result = await CliRunner.RunWithInputAsync(first + "---\n" + second, "inject", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("# why", result.Out, StringComparison.Ordinal);
        Assert.EndsWith("---\n" + second, result.Out, StringComparison.Ordinal);
        Assert.Contains("note: the comments from line 1 to the next --- are left out: YamlDotNet cannot read them there", result.Error, StringComparison.Ordinal);
        Assert.Single(InjectedPod.In(result.Out).Pods, p => p.HasSidecar);
    }

    [Fact]
    public async Task Options_SetTheImages_TheProxyUser_TheConfigMap_AndIpv6()
    {
        var result = await CliRunner.RunWithInputAsync(
            Deployment, "inject", "-", "--image", "registry.example/mesh-proxy:1.2", "--init-image", "registry.example/mesh-cli:1.2", "--proxy-uid", "3000", "--config-map", "shop-mesh", "--ipv6", "true");

        Assert.Equal(0, result.ExitCode);
        var pod = Assert.Single(InjectedPod.In(result.Out).Pods);
        var sidecar = SidecarPodChecks.Sidecar(pod.Spec);
        var init = Assert.Single(Items(pod.Spec, "initContainers"));
        Assert.Equal("registry.example/mesh-proxy:1.2", Scalar(sidecar, "image"));
        Assert.Equal("registry.example/mesh-cli:1.2", Scalar(init, "image"));
        Assert.Equal("3000", Scalar(sidecar, "securityContext", "runAsUser"));
        Assert.Equal(["--proxy-uid", "3000"], Args(init).SkipWhile(a => a != "--proxy-uid").Take(2));
        Assert.Equal(["--ipv6", "true"], Args(init).SkipWhile(a => a != "--ipv6").Take(2));

        // Still consistent with itself: the checks compare the init container's uid and ports with the sidecar's.
        var configuration = SidecarPodChecks.SidecarConfiguration(sidecar, "{}");
        SidecarPodChecks.ReadsConfigMap(pod.Spec, sidecar, "shop-mesh");
        SidecarPodChecks.InterceptsWithLeastPrivilege(pod.Spec, sidecar, configuration);
    }

    [Theory]
    [InlineData("--proxy-uid", "-1", "--proxy-uid must be a user id (a whole number of at least 0), was '-1'")]
    [InlineData("--config-map", "Shop_Mesh", "--config-map must be a ConfigMap name (lower-case letters, digits, '-' and '.'), was 'Shop_Mesh'")]
    [InlineData("--ipv6", "yes", "--ipv6 must be true or false, was 'yes'")]
    [InlineData("--output", "json", "--output json does not apply to inject: it writes YAML, for kubectl, and its report as lines on stderr")]
    public async Task MalformedOption_IsAUsageError_NamingIt(string option, string value, string message)
    {
        var result = await CliRunner.RunWithInputAsync(Deployment, "inject", "-", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.StartsWith($"mesh: {message}\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeployKubernetes_Injected_KeepsItsParts_AndPassesTheManifestChecks()
    {
        // deploy/kubernetes as one stream: its hand-written sidecar is replaced by the injected one, the rest stays.
        var folder = Path.Combine(Repository.Root, "deploy", "kubernetes");
        var input = string.Join("---\n", new[] { "configmap.yaml", "deployment.yaml", "service-headless.yaml" }.Select(f => File.ReadAllText(Path.Combine(folder, f))));

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("injected: Deployment/orders\n", result.Error);
        var (pods, meshJson) = InjectedPod.In(result.Out);
        var pod = Assert.Single(pods);
        var sidecar = SidecarPodChecks.Sidecar(pod.Spec);
        var configuration = SidecarPodChecks.SidecarConfiguration(sidecar, meshJson["orders-mesh"]);
        SidecarPodChecks.ConfigurationIsValid(configuration);
        SidecarPodChecks.ReadsConfigMap(pod.Spec, sidecar, "orders-mesh");
        SidecarPodChecks.ProbesAskTheAdminPort(sidecar, configuration);
        SidecarPodChecks.PrometheusScrapesTheSidecar(pod.Metadata, sidecar, configuration);
        Assert.All(Items(pod.Spec, "containers"), c => SidecarPodChecks.IsLockedDown(pod.Spec, c));
        SidecarPodChecks.RequestsResources(sidecar);
        SidecarPodChecks.GraceCoversTheDrain(pod.Spec, sidecar, configuration);
        SidecarPodChecks.InterceptsWithLeastPrivilege(pod.Spec, sidecar, configuration);
        Assert.Equal(["app", "mesh"], Items(pod.Spec, "containers").Select(c => Scalar(c, "name")));
        // The application's comments stay; those of the hand-written sidecar went with it.
        Assert.Contains("image: orders:1.0 # your application", result.Out, StringComparison.Ordinal);
        Assert.Contains("# Calls to http://payments/... go through the sidecar", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("# The DNS naming rule looks services up in this pod's own namespace.", result.Out, StringComparison.Ordinal);
        Assert.StartsWith(input[..input.IndexOf("---\n", StringComparison.Ordinal)], result.Out, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Args(YamlDotNet.RepresentationModel.YamlNode container) =>
        Items(container, "args").Select(a => ((YamlDotNet.RepresentationModel.YamlScalarNode)a).Value!);
}
