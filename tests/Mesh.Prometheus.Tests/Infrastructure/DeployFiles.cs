namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>The files of deploy/prometheus, which the project copies next to the tests.</summary>
public static class DeployFiles
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "deploy", "prometheus");

    public static string Rules => Path.Combine(Folder, "mesh-rules.yml");

    public static string RulesTests => Path.Combine(Folder, "mesh-rules.test.yml");

    public static string ExampleConfig => Path.Combine(Folder, "prometheus.yml");

    public static string Dashboard => Path.Combine(Folder, "grafana-dashboard.json");
}
