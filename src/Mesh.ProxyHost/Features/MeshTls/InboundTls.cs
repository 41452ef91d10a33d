using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Identity;
using Mesh.ProxyHost.Features.Inbound;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// The server side of mutual TLS on the inbound listener: for each connection, TLS 1.3 with the sidecar's certificate
/// (read at the handshake, so a renewal is used at once), <c>h2</c>, <c>http/1.1</c> or a peer's opaque TCP
/// (<see cref="MeshAlpn.InboundAccepts"/>), and a client certificate asked for and checked against the trust bundle; the
/// SPIFFE ID it proves is recorded for the connection (<see cref="InboundPeers"/>). Without a client certificate the
/// handshake succeeds in <c>Permissive</c> (an unauthenticated TLS caller) and fails in <c>Strict</c>; a certificate the
/// bundle does not sign always fails it. Failed handshakes are counted (<see cref="InboundRefusals"/>).
/// </summary>
internal sealed class InboundTls(IdentitySource identities, InboundPeers peers, InboundRefusals refusals, ProxyOptions options)
{
    private readonly bool _strict = options.Inbound.IsStrict;

    /// <summary>The handshake's options for <paramref name="connection"/> (Kestrel's <c>TlsHandshakeCallbackOptions.OnConnection</c>).</summary>
    public ValueTask<SslServerAuthenticationOptions> OptionsFor(ConnectionContext connection)
    {
        var identity = identities.Current;
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = identity.CertificateContext,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = MeshAlpn.InboundAccepts,
            ClientCertificateRequired = true,
            CertificateChainPolicy = PeerCertificates.Policy(identity.TrustBundle, identity.Intermediates),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(connection, certificate, chain, errors),
        });
    }

    private bool Validate(ConnectionContext connection, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            if (_strict)
            {
                refusals.Record(InboundRefusals.NoCertificate, connection.RemoteEndPoint, "a TLS caller without a client certificate, and Mesh:Proxy:Inbound:Tls is Strict");
                return false;
            }

            peers.Set(connection, null);
            return true;
        }

        var id = PeerCertificates.Verify(certificate, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch, chain, out var reason);
        if (id is null)
        {
            refusals.Record(InboundRefusals.UntrustedCertificate, connection.RemoteEndPoint, $"the caller {reason}");
            return false;
        }

        peers.Set(connection, id.Value);
        return true;
    }
}
