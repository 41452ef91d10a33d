using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Mesh.ProxyHost.Configuration;

/// <summary>A listener address as configured: <c>127.0.0.1:4140</c>, <c>[::1]:4140</c>, <c>0.0.0.0:4143</c> or <c>*:4143</c>.</summary>
public sealed record ListenAddress(IPAddress Address, int Port)
{
    /// <summary>Whether the address is on loopback only.</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Address);

    /// <summary>Parses an address; false with a reason when it is not one.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out ListenAddress? address, out string reason)
    {
        address = null;
        reason = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            reason = "must be host:port, was empty";
            return false;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            reason = $"must be host:port with a port in [0, 65535], was '{value}'";
            return false;
        }

        var host = value[..colon].Trim('[', ']');
        IPAddress? ip = host switch
        {
            "*" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        if (ip is null)
        {
            reason = $"must name an IP address (or * or localhost), was '{host}'";
            return false;
        }

        address = new ListenAddress(ip, port);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => new IPEndPoint(Address, Port).ToString();
}
