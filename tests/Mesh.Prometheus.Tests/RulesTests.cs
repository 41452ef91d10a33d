using Mesh.Prometheus.Tests.Infrastructure;

namespace Mesh.Prometheus.Tests;

/// <summary>deploy/prometheus/mesh-rules.yml: valid for promtool, passing its unit tests, loaded by the example configuration.</summary>
public class RulesTests
{
    [Fact]
    public async Task Rules_PassPromtoolCheckRules()
    {
        var result = await Promtool.RunAsync(["check", "rules", DeployFiles.Rules]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"SUCCESS: {RulesFile.Read(DeployFiles.Rules).Count} rules found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_PassTheirUnitTests()
    {
        // Input series with the sidecar's real labels; recorded values and alerts (pending, firing, silent) asserted.
        var result = await Promtool.RunAsync(["test", "rules", Path.GetFileName(DeployFiles.RulesTests)], workingDirectory: DeployFiles.Folder);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleConfig_IsValid_AndLoadsTheRules()
    {
        var result = await Promtool.RunAsync(["check", "config", Path.GetFileName(DeployFiles.ExampleConfig)], workingDirectory: DeployFiles.Folder);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS: 1 rule files found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Alerts_ReadOnlyRecordedSeries()
    {
        // Alerts read the recorded series, so that what pages someone is what the dashboard shows.
        var rules = RulesFile.Read(DeployFiles.Rules);
        var recorded = RulesFile.RecordedSeries(DeployFiles.Rules);
        var alerts = rules.Where(static r => r.Alert is not null).ToList();

        Assert.Equal(["MeshSuccessRateLow", "MeshLatencyHigh", "MeshEndpointsEjected", "MeshRetryBudgetExhausted", "MeshRouteSuccessRateLow", "MeshCertificateExpiringSoon", "MeshDynamicServicesNearLimit", "MeshCertificateRenewalRejected"], alerts.Select(static a => a.Alert!));
        Assert.All(alerts, alert =>
        {
            var read = PromQl.SeriesNames(alert.Expr);
            Assert.NotEmpty(read);
            Assert.All(read, name => Assert.True(recorded.Contains(name), $"{alert.Alert} reads {name}, which no recording rule records"));
        });
    }
}
