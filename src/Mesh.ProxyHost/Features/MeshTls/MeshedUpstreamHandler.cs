using System.Net;
using Mesh.Upstream;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// The primary handler of a configured service's attempts in the sidecar: in plaintext on the shared pools, or, when the
/// service is meshed (<see cref="ServiceIdentityResolver"/>), as HTTP/2 over mutual TLS on the pools of the identity its
/// endpoints must prove. Read per request, so a reload that meshes a service applies from its next request.
/// </summary>
internal sealed class MeshedUpstreamHandler(ConnectionPools plaintext, MeshedConnectionPools meshed, ServiceIdentityResolver identity, Func<TimeSpan> idleTimeout) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (identity.Expected is not { } expected)
        {
            return plaintext.For(idleTimeout()).SendAsync(request, cancellationToken);
        }

        // The forwarder chose HTTP/2 for a meshed service; a request begun just before a reload meshed it goes so too.
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return meshed.For(expected).For(idleTimeout()).SendAsync(request, cancellationToken);
    }
}
