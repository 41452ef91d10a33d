namespace Mesh.Discovery.Dns.Tests.Infrastructure;

/// <summary>
/// A test that needs a real dnsmasq: skipped, with the reason, where dnsmasq is not installed or cannot start.
/// test.sh installs it (Debian package dnsmasq-base), so under CI (CI=true) the test is never skipped: it runs, and
/// fails with the same reason if dnsmasq is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DnsmasqFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public DnsmasqFactAttribute()
    {
        if (Unavailable.Value is { } reason && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = reason;
        }
    }

    private static string? Probe()
    {
        if (Dnsmasq.Binary is null)
        {
            return "dnsmasq is not installed (apt-get install dnsmasq-base; test.sh does this)";
        }

        try
        {
            Dnsmasq.StartAsync().GetAwaiter().GetResult().DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return $"dnsmasq cannot start here: {ex.Message}";
        }
    }
}
