using Mesh.ProxyHost.Features.Authorization;

namespace Mesh.ProxyHost.Configuration;

/// <summary>Checks the sidecar's own settings, collecting every error with its key.</summary>
internal static class ProxyOptionsValidator
{
    public static void Validate(ProxyOptions proxy, AdminOptions admin, List<string> errors)
    {
        Listen("Mesh:Proxy:Outbound:Listen", proxy.Outbound.Listen, optional: false, errors);
        Listen("Mesh:Proxy:Outbound:ListenHttp2", proxy.Outbound.ListenHttp2, optional: true, errors);
        Listen("Mesh:Proxy:Inbound:Listen", proxy.Inbound.Listen, optional: true, errors);
        Listen("Mesh:Proxy:Inbound:ListenHttp2", proxy.Inbound.ListenHttp2, optional: true, errors);
        if ((!string.IsNullOrEmpty(proxy.Inbound.Listen) || !string.IsNullOrEmpty(proxy.Inbound.ListenHttp2)) &&
            (!Uri.TryCreate(proxy.Inbound.Target, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https")))
        {
            errors.Add($"Mesh:Proxy:Inbound:Target must be an absolute http(s) URL, was '{proxy.Inbound.Target}'");
        }

        if (!string.Equals(proxy.Inbound.Tls, InboundTlsModes.Permissive, StringComparison.OrdinalIgnoreCase) && !proxy.Inbound.IsStrict)
        {
            errors.Add($"Mesh:Proxy:Inbound:Tls must be {InboundTlsModes.Permissive} or {InboundTlsModes.Strict}, was '{proxy.Inbound.Tls}'");
        }

        AuthorizationOptionsValidator.Validate(proxy.Inbound.Authorization, errors);
        if (string.IsNullOrWhiteSpace(proxy.Inbound.Service))
        {
            errors.Add("Mesh:Proxy:Inbound:Service must not be empty");
        }

        for (var i = 0; i < proxy.TrustedProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(proxy.TrustedProxies[i], out _))
            {
                errors.Add($"Mesh:Proxy:TrustedProxies:{i} must be an IP address, was '{proxy.TrustedProxies[i]}'");
            }
        }

        if (proxy.RequestHeadersTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Mesh:Proxy:RequestHeadersTimeout must be greater than zero, was {proxy.RequestHeadersTimeout}");
        }

        if (proxy.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Mesh:Proxy:ConnectTimeout must be greater than zero, was {proxy.ConnectTimeout}");
        }

        if (proxy.MaxRequestHeadersTotalSize is < 1024 or > 1024 * 1024)
        {
            errors.Add($"Mesh:Proxy:MaxRequestHeadersTotalSize must be between 1024 and 1048576 bytes, was {proxy.MaxRequestHeadersTotalSize}");
        }

        if (proxy.MaxConnections is < 1 or > 1_000_000)
        {
            errors.Add($"Mesh:Proxy:MaxConnections must be between 1 and 1000000, was {proxy.MaxConnections}");
        }

        if (proxy.DetectTimeout <= TimeSpan.Zero || proxy.DetectTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Mesh:Proxy:DetectTimeout must be greater than zero and at most 1 minute, was {proxy.DetectTimeout}");
        }

        if (!Features.Detection.PortSet.TryParse(proxy.OpaquePorts, out _, out var portsError))
        {
            errors.Add($"Mesh:Proxy:OpaquePorts {portsError}, was '{proxy.OpaquePorts}'");
        }

        if (proxy.Tcp.IdleTimeout != TimeSpan.Zero && (proxy.Tcp.IdleTimeout < TimeSpan.FromSeconds(1) || proxy.Tcp.IdleTimeout > TcpOptions.MaxIdleTimeout))
        {
            errors.Add($"Mesh:Proxy:Tcp:IdleTimeout must be between 1 second and 30 days, or zero (off), was {proxy.Tcp.IdleTimeout}");
        }

        if (proxy.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"Mesh:Proxy:DrainTimeout must not be negative, was {proxy.DrainTimeout}");
        }

        if (proxy.DrainDelay < TimeSpan.Zero)
        {
            errors.Add($"Mesh:Proxy:DrainDelay must not be negative, was {proxy.DrainDelay}");
        }

        if (Listen("Mesh:Admin:Listen", admin.Listen, optional: false, errors) is { IsLoopback: false } address && !admin.AllowNonLoopback)
        {
            errors.Add($"Mesh:Admin:Listen must be a loopback address unless Mesh:Admin:AllowNonLoopback is true, was '{address}'");
        }
    }

    private static ListenAddress? Listen(string key, string? value, bool optional, List<string> errors)
    {
        if (optional && string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (ListenAddress.TryParse(value, out var address, out var reason))
        {
            return address;
        }

        errors.Add($"{key} {reason}");
        return null;
    }
}
