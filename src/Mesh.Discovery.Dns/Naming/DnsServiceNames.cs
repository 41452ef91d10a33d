using System.Globalization;

namespace Mesh.Discovery.Dns.Naming;

/// <summary>
/// Maps a service to the DNS name it is looked up by, from <see cref="MeshDnsOptions.Services"/>: an empty entry
/// follows the Kubernetes naming rule, one starting with <c>_</c> is an SRV name, anything else is <c>host:port</c>.
/// A service without an entry maps to nothing, which is what keeps DNS discovery closed to arbitrary names.
/// </summary>
internal static class DnsServiceNames
{
    /// <summary>Finds the entry of <paramref name="service"/>; false when it has none.</summary>
    public static bool TryGetEntry(MeshDnsOptions options, string service, out string value)
    {
        if (options.Services.TryGetValue(service, out var found))
        {
            value = found ?? "";
            return true;
        }

        // A dictionary the caller built with the default comparer: service names are case-insensitive all the same.
        foreach (var (key, entry) in options.Services)
        {
            if (string.Equals(key, service, StringComparison.OrdinalIgnoreCase))
            {
                value = entry ?? "";
                return true;
            }
        }

        value = "";
        return false;
    }

    /// <summary>Turns one entry into a lookup, or says why it cannot be one.</summary>
    public static bool TryParse(MeshDnsOptions options, string service, string? value, out DnsTarget target, out string reason)
    {
        target = null!;
        reason = "";
        value = value?.Trim() ?? "";
        if (value.Length == 0)
        {
            // Kubernetes: a headless Service's named port publishes _{port}._tcp.{service}.{namespace}.svc.{domain}.
            if (!IsLabel(service))
            {
                reason = $"is empty, so the naming rule applies, but service name '{service}' is not a DNS label (letters, digits, '-')";
                return false;
            }

            target = new DnsTarget(DnsTargetKind.Srv, Absolute($"_{options.PortName}._tcp.{service}.{options.Namespace}.svc.{options.ClusterDomain}"), 0);
            return true;
        }

        if (value[0] == '_')
        {
            if (!IsName(value) || value.Split('.', StringSplitOptions.RemoveEmptyEntries).Length < 3)
            {
                reason = $"must be an SRV name like _http._tcp.orders.example., was '{value}'";
                return false;
            }

            target = new DnsTarget(DnsTargetKind.Srv, Absolute(value), 0);
            return true;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            reason = $"must be empty (the naming rule), an SRV name starting with '_', or host:port with a port in [1, 65535], was '{value}'";
            return false;
        }

        var host = value[..colon];
        if (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            reason = $"names an IP address ('{host}'), which needs no DNS: put fixed endpoints under Services:{service}:http instead";
            return false;
        }

        if (!IsName(host))
        {
            reason = $"must be host:port with a DNS host name, was '{value}'";
            return false;
        }

        target = new DnsTarget(DnsTargetKind.Address, Absolute(host), port);
        return true;
    }

    /// <summary>Whether <paramref name="value"/> is a DNS name Mesh will query: labels of letters, digits, '-' and '_'.</summary>
    public static bool IsName(string value)
    {
        var name = value.EndsWith('.') ? value[..^1] : value;
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || !label.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="value"/> is one DNS label of letters, digits and '-' (a Kubernetes Service name or port name).</summary>
    public static bool IsLabel(string value) =>
        value.Length is > 0 and <= 63 && value.All(static c => char.IsAsciiLetterOrDigit(c) || c == '-') && value[0] != '-' && value[^1] != '-';

    // Absolute names skip the resolver's search list (ndots:5 in a pod would otherwise try five suffixes first).
    private static string Absolute(string name) => name.EndsWith('.') ? name : name + ".";
}
