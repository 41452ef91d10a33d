using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.ProxyHost.Features.Identity;

namespace Mesh.ProxyHost.Testing.Identity;

/// <summary>An HTTPS client of an inbound mutual TLS port: its own certificate (or none), the server's checked against the trust domain.</summary>
public static class MtlsClient
{
    /// <summary>
    /// A client that presents <paramref name="certificate"/> (none when null) and accepts a server certificate the trust
    /// domain signed with a SPIFFE ID, recording that ID in <paramref name="serverId"/> and the certificate's serial
    /// number in <paramref name="serverSerial"/> at each handshake.
    /// </summary>
    public static HttpClient Create(TrustDomain domain, X509Certificate2? certificate, Action<string>? serverId = null, Action<string>? serverSerial = null) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificate is null ? null : [certificate],
                RemoteCertificateValidationCallback = (_, server, _, _) =>
                {
                    var leaf = (X509Certificate2)server!;
                    var id = SpiffeCertificate.IdOf(leaf, out _);
                    if (id is not null)
                    {
                        serverId?.Invoke(id.Value);
                    }

                    serverSerial?.Invoke(leaf.SerialNumber);

                    return id is not null && PeerCertificates.Chain(leaf, [], [domain.Anchor], DateTimeOffset.UtcNow).Length == 0;
                },
            },
        });
}
