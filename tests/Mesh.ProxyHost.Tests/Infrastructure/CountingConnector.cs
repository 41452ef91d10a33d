using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.ProxyHost.Features.Forwarding;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// The sidecar's upstream connector for a test (<see cref="UpstreamConnector"/>): counts every connection the sidecar
/// asks for and opens it, but only to a loopback address; anything else is counted and refused without touching the
/// network, so a test can prove what a request would have reached.
/// </summary>
internal sealed class CountingConnector
{
    private readonly ConcurrentQueue<string> _targets = new();

    /// <summary>Gets how many connections the sidecar asked for.</summary>
    public int Calls => _targets.Count;

    /// <summary>Gets the <c>host:port</c> of every connection asked for, in order.</summary>
    public IReadOnlyList<string> Targets => [.. _targets];

    /// <summary>Makes this the sidecar's connector (pass to <see cref="Sidecar.StartAsync(string, Action{IServiceCollection}, string[])"/>).</summary>
    public void Register(IServiceCollection services) => services.AddSingleton(new UpstreamConnector(ConnectAsync));

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var target = context.DnsEndPoint;
        _targets.Enqueue($"{target.Host}:{target.Port}");
        if (!IPAddress.TryParse(target.Host.Trim('[', ']'), out var address) || !IPAddress.IsLoopback(address))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"test connector: not connecting to {target.Host}:{target.Port}, which is not loopback");
        }

        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, target.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
