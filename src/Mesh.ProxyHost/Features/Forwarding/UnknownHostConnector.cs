using System.Net;
using System.Net.Sockets;
using Mesh.Classification;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// Opens the upstream connections of unknown hosts (<c>Mesh:Proxy:Outbound:AllowUnknownHosts</c>): the name is resolved
/// once, refused when any of its addresses is forbidden (<see cref="ForbiddenAddresses"/>: a metadata host name, or a
/// public name pointing at one), and the connection is made to the very addresses checked, so a second DNS answer cannot
/// slip in between the check and the connect.
/// </summary>
internal sealed class UnknownHostConnector(Func<string, CancellationToken, Task<IPAddress[]>> resolve, UpstreamConnector? inner = null)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal] : await resolve(endpoint.Host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0 || Array.Exists(addresses, ForbiddenAddresses.Contains))
        {
            throw new ConnectRefusedException(
                FailureReasons.ForbiddenAddress,
                $"Mesh: '{endpoint.Host}' resolves to an address the sidecar never forwards to (link-local or a cloud metadata service).",
                isRetryable: false);
        }

        if (inner is not null)
        {
            return await inner.Connect(context, cancellationToken).ConfigureAwait(false);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
