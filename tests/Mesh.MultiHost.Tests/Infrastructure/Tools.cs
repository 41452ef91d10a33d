namespace Mesh.MultiHost.Tests.Infrastructure;

/// <summary>Finds the programs the multi-host test starts inside namespaces.</summary>
public static class Tools
{
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The sidecar built into this test's output folder by the project reference to Mesh.ProxyHost.</summary>
    public static string Sidecar
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Mesh.ProxyHost.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("The sidecar was not built next to the test", path);
        }
    }
}
