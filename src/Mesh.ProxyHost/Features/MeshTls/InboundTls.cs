using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Identity;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// The server side of mutual TLS on the inbound listener: for each connection, TLS 1.3 with the sidecar's certificate
/// (read at the handshake, so a renewal is used at once), <c>h2</c> or <c>http/1.1</c>, and a client certificate asked
/// for and checked against the trust bundle; the SPIFFE ID it proves is recorded for the connection
/// (<see cref="InboundPeers"/>). Without a client certificate the handshake succeeds in <c>Permissive</c> (an
/// unauthenticated TLS caller) and fails in <c>Strict</c>; a certificate the bundle does not sign always fails it.
/// </summary>
internal sealed class InboundTls(IdentitySource identities, InboundPeers peers, ProxyOptions options)
{
    private static readonly List<SslApplicationProtocol> Protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
    private readonly bool _strict = options.Inbound.IsStrict;

    /// <summary>The handshake's options for <paramref name="connection"/> (Kestrel's <c>TlsHandshakeCallbackOptions.OnConnection</c>).</summary>
    public ValueTask<SslServerAuthenticationOptions> OptionsFor(ConnectionContext connection)
    {
        var identity = identities.Current;
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = identity.CertificateContext,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = Protocols,
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
            peers.Set(connection, null);
            return !_strict;
        }

        var id = PeerCertificates.Verify(certificate, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch, chain, out _);
        if (id is null)
        {
            return false;
        }

        peers.Set(connection, id.Value);
        return true;
    }
}
