namespace Mesh.MultiHost.Tests.Infrastructure;

/// <summary>
/// A test that builds hosts out of Linux network namespaces: skipped, with the reason, where that cannot work (not
/// Linux, not root, no <c>ip netns</c>, no python3 or curl). Under CI (CI=true) it is never skipped: CI runs as root
/// with iproute2 and curl installed by test.sh, so a missing piece fails the test instead of hiding it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetnsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public NetnsFactAttribute()
    {
        if (Unavailable.Value is { } reason && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = reason;
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "network namespaces need root (ip netns add)";
        }

        foreach (var tool in new[] { "ip", "curl", "python3" })
        {
            if (Tools.Find(tool) is null)
            {
                return $"'{tool}' is not installed";
            }
        }

        var name = $"meshprobe-{Environment.ProcessId}";
        try
        {
            var add = Shell.RunAsync("ip", ["netns", "add", name]).GetAwaiter().GetResult();
            if (!add.Ok)
            {
                return $"'ip netns add' does not work here: {add.Error.Trim()}";
            }

            return null;
        }
        finally
        {
            Shell.RunAsync("ip", ["netns", "del", name]).GetAwaiter().GetResult();
        }
    }
}
