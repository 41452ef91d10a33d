using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.Classification;
using Mesh.Identity;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// Opens the connections to a meshed service's endpoints (the peer sidecars' inbound ports): TCP, then TLS 1.3 with this
/// sidecar's certificate as the client's, offering only <c>h2</c>, and the server's certificate checked against the
/// trust bundle (never the system's store) and its SPIFFE ID against the identity the service's endpoints must have.
/// The identity is read at each handshake, so a renewal is used by the next connection while those open keep theirs.
/// A peer that does not prove the expected identity is refused before anything is sent, as
/// <see cref="FailureReasons.IdentityMismatch"/>: a connect error of that endpoint, never a silent success.
/// </summary>
internal sealed partial class MeshTlsConnector(IdentitySource identities, ILogger<MeshTlsConnector> logger, UpstreamConnector? inner = null)
{
    private static readonly List<SslApplicationProtocol> Http2Only = [SslApplicationProtocol.Http2];

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, SpiffeIdPattern expected, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var transport = inner is not null ? await inner.Connect(context, cancellationToken).ConfigureAwait(false) : await ConnectTcpAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var tls = new SslStream(transport, leaveInnerStreamOpen: false);
        var check = new PeerCheck(expected);
        var identity = identities.Current;
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    // No SNI for an address; a name is sent as dialled. SPIFFE names the peer by URI, checked below.
                    TargetHost = endpoint.Host,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ApplicationProtocols = Http2Only,
                    ClientCertificateContext = identity.CertificateContext,
                    CertificateChainPolicy = PeerCertificates.Policy(identity.TrustBundle, identity.Intermediates),
                    CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = check.Validate,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException) when (check.Refusal is { } refusal)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            var message = $"Mesh: the endpoint {endpoint.Host}:{endpoint.Port} {refusal}; refused before anything was sent.";
            Log.IdentityMismatch(logger, endpoint.Host, endpoint.Port, refusal);
            throw new ConnectRefusedException(FailureReasons.IdentityMismatch, message, isRetryable: true);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new ConnectRefusedException(FailureReasons.ConnectError, $"Mesh: the endpoint {endpoint.Host}:{endpoint.Port} did not agree to HTTP/2 (ALPN h2) over mutual TLS: is a Mesh sidecar listening there?", isRetryable: true);
        }

        return tls;
    }

    private static async ValueTask<Stream> ConnectTcpAsync(System.Net.DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The check of one handshake's server certificate, keeping why it refused (the handshake's exception does not say).
    private sealed class PeerCheck(SpiffeIdPattern expected)
    {
        public string? Refusal { get; private set; }

        public bool Validate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors)
        {
            var id = PeerCertificates.Verify(certificate, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch, chain, out var reason);
            if (id is null)
            {
                Refusal = reason;
                return false;
            }

            if (!expected.Matches(id.Value))
            {
                Refusal = $"proved the identity {id.Value}, not {expected.Text}";
                return false;
            }

            return true;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(70, LogLevel.Warning, "Refused the endpoint {Host}:{Port}: it {Refusal}.")]
        public static partial void IdentityMismatch(ILogger logger, string host, int port, string refusal);
    }
}
