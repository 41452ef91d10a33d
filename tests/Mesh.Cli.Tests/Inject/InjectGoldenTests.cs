using Mesh.Cli.Tests.Infrastructure;
using Mesh.MultiHost.Tests.Kubernetes;
using static Mesh.MultiHost.Tests.Kubernetes.Manifests;

namespace Mesh.Cli.Tests.Inject;

/// <summary>
/// <c>mesh inject</c> on the golden inputs (each workload kind, a List, several documents with a Service between,
/// an input already injected, one injected by an older mesh, disabled workloads, the ports annotations): the output is
/// the committed one, injecting it again changes nothing, and every injected pod passes the checks deploy/kubernetes
/// passes (<see cref="SidecarPodChecks"/>).
/// </summary>
public class InjectGoldenTests
{
    public static TheoryData<string> Cases => GoldenFiles.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Inject_WritesTheGoldenOutput(string name)
    {
        var result = await CliRunner.RunAsync("inject", GoldenFiles.Input(name));

        Assert.True(result.ExitCode == 0, result.Error);
        if (GoldenFiles.Updating)
        {
            GoldenFiles.Update(name, result.Out);
            Assert.Fail($"{name}.output.yaml rewritten (MESH_UPDATE_GOLDEN=1): review the change, and run again without it");
        }

        Assert.Equal(await File.ReadAllTextAsync(GoldenFiles.Output(name)), result.Out);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task InjectingTheOutputAgain_ChangesNothing(string name)
    {
        var once = await CliRunner.RunAsync("inject", GoldenFiles.Input(name));
        var path = Path.Combine(Path.GetTempPath(), $"mesh-inject-{name}-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, once.Out);
        try
        {
            var twice = await CliRunner.RunAsync("inject", path);

            Assert.Equal(0, twice.ExitCode);
            Assert.Equal(once.Out, twice.Out);
            Assert.DoesNotContain("injected:", twice.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryInjectedPod_PassesTheManifestChecks(string name)
    {
        // What inject writes now, not the committed file: the checks judge the code, the golden test its stability.
        var result = await CliRunner.RunAsync("inject", GoldenFiles.Input(name));
        Assert.True(result.ExitCode == 0, result.Error);
        var (pods, meshJson) = InjectedPod.In(result.Out);
        var injected = pods.Where(p => p.HasSidecar).ToList();
        Assert.Equal(name == "disabled" ? 0 : pods.Count, injected.Count);

        foreach (var pod in injected)
        {
            var annotations = Map(pod.Metadata, "annotations");
            var configMap = annotations.GetValueOrDefault("mesh.io/config-map") ?? $"{pod.Name}-mesh";
            var sidecar = SidecarPodChecks.Sidecar(pod.Spec);
            var configuration = SidecarPodChecks.SidecarConfiguration(sidecar, meshJson.GetValueOrDefault(configMap) ?? "{}");

            SidecarPodChecks.ConfigurationIsValid(configuration);
            SidecarPodChecks.ReadsConfigMap(pod.Spec, sidecar, configMap);
            SidecarPodChecks.ProbesAskTheAdminPort(sidecar, configuration);
            if (annotations.GetValueOrDefault("prometheus.io/port") is null or "4191")
            {
                SidecarPodChecks.PrometheusScrapesTheSidecar(pod.Metadata, sidecar, configuration);
            }

            SidecarPodChecks.IsLockedDown(pod.Spec, sidecar);
            SidecarPodChecks.RequestsResources(sidecar);
            SidecarPodChecks.GraceCoversTheDrain(pod.Spec, sidecar, configuration);
            SidecarPodChecks.InterceptsWithLeastPrivilege(pod.Spec, sidecar, configuration);
        }
    }
}
