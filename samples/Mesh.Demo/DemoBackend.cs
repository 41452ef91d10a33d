using System.Globalization;

namespace Mesh.Demo;

/// <summary>One running demo backend: its role and the address Kestrel bound.</summary>
internal sealed record DemoBackend(string Role, Uri Address)
{
    public int Port => Address.Port;

    /// <summary>The port in a <c>mesh.endpoint</c> tag value such as <c>127.0.0.1:5123</c>, or -1.</summary>
    public static int PortOf(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon >= 0 && int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port
            : -1;
    }
}
