using System.Net;
using System.Net.Sockets;

namespace Mesh.Cli.Tests.Infrastructure;

/// <summary>A loopback port nothing listens on (bound by the OS, then released).</summary>
public static class FreePort
{
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
