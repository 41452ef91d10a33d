namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// When registered, opens every upstream connection of the sidecar in place of SocketsHttpHandler's own connect. A seam
/// for tests (a counting connector shows that a refused request never reached the network); nothing registers it in
/// production.
/// </summary>
internal sealed class UpstreamConnector(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect)
{
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect { get; } = connect;
}
