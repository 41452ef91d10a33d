using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Mesh.Classification;
using Mesh.Identity;
using Mesh.ProxyHost.Features.Tcp;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// Opaque TCP to meshed services, wrapped in the same mutual TLS as their HTTP: the identity a service's endpoints must
/// prove (as for HTTP: the service's <c>Identity</c>, else <c>Mesh:Identity:DefaultServiceIdentity</c>), and the
/// handshake offering <see cref="MeshAlpn.Tcp"/>, then the <see cref="TransportHeader"/> naming the endpoint's port,
/// which the peer sidecar forwards to on its own loopback.
/// </summary>
internal sealed class MeshTcpTls
{
    private readonly MeshTlsConnector _tls;
    private readonly ConditionalWeakTable<MeshService, ServiceIdentityResolver> _resolvers = [];
    private readonly ConditionalWeakTable<MeshService, ServiceIdentityResolver>.CreateValueCallback _createResolver;

    public MeshTcpTls(MeshTlsConnector tls, DefaultServiceIdentity defaults)
    {
        _tls = tls;
        _createResolver = service => new ServiceIdentityResolver(service, defaults);
    }

    /// <summary>Gets the identity <paramref name="service"/>'s endpoints must prove now; null when it is called in plaintext.</summary>
    public SpiffeIdPattern? ExpectedFor(MeshService service) => _resolvers.GetValue(service, _createResolver).Expected;

    /// <summary>Opens mutual TLS over the connected <paramref name="socket"/> (taken) and sends the transport header.</summary>
    /// <exception cref="ConnectRefusedException">The peer proved another identity, or is no Mesh sidecar taking opaque TCP.</exception>
    public async Task<TcpEnd> SecureAsync(Socket socket, EndPoint endpoint, SpiffeIdPattern expected, CancellationToken cancellationToken)
    {
        var (host, port) = endpoint switch
        {
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            DnsEndPoint dns => (dns.Host, dns.Port),
            _ => (endpoint.ToString() ?? "", 0),
        };
        var tls = await _tls.AuthenticateAsync(new NetworkStream(socket, ownsSocket: true), host, port, expected, MeshAlpn.TcpOffer, cancellationToken).ConfigureAwait(false);
        try
        {
            if (tls.NegotiatedApplicationProtocol != MeshAlpn.Tcp)
            {
                throw new ConnectRefusedException(FailureReasons.ConnectError, $"Mesh: the endpoint {host}:{port} did not agree to opaque TCP over mutual TLS (ALPN {MeshAlpn.Tcp}): is a Mesh sidecar with an identity listening there?", isRetryable: true);
            }

            await tls.WriteAsync(TransportHeader.For(port), cancellationToken).ConfigureAwait(false);
            return TcpEnd.Upstream(socket, tls);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
