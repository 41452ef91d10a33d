using System.Net;
using System.Net.Sockets;

namespace Mesh.Testing;

/// <summary>A loopback port that was free a moment ago, for the rare test that must know a port before binding it.</summary>
public static class FreePort
{
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
