using System.Net;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.Telemetry;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// What the sidecar changes on a forwarded request, on top of YARP's defaults (which copy headers and drop hop-by-hop
/// ones): the fields its <c>Connection</c> header names removed, both ways (<see cref="ConnectionNominatedHeaders"/>);
/// <c>X-Forwarded-For/Proto/Host</c> set to what this hop saw (replacing any value the client sent, which it
/// could forge, unless the peer is a configured trusted proxy, whose chain is kept and extended), and on outbound requests this sidecar's id appended to <c>mesh-hop</c>; on
/// inbound requests, which leave the mesh for the application, <c>mesh-hop</c> is removed. <c>mesh-orig-proto</c> is
/// removed both ways and set on an outbound request sent over HTTP/2 (a meshed service) that its caller sent in HTTP/1.x.
/// On inbound requests <c>mesh-client-id</c> is removed and, when the caller proved a SPIFFE ID (mutual TLS), set to it;
/// a sidecar with an identity (<paramref name="knowsCallers"/>) also hands the caller to the request's metrics, span and tap.
/// </summary>
internal sealed class MeshTransformer(string? hopId, IReadOnlyCollection<IPAddress> trustedProxies, bool knowsCallers = false) : HttpTransformer
{
    // The text of the last peer address: an outbound sidecar's peer is always the local application, so the address is
    // formatted once rather than per request.
    private PeerText? _lastPeer;

    /// <summary>Gets whether the request goes on with the client's <c>Host</c> rather than the endpoint's authority.</summary>
    public bool KeepsHost { get; init; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var headers = proxyRequest.Headers;
        ConnectionNominatedHeaders.Remove(RawConnectionHeader.Of(httpContext), headers, proxyRequest.Content?.Headers);

        var peer = httpContext.Connection.RemoteIpAddress is { } ip ? Normalize(ip) : null;
        var incoming = httpContext.Request.Headers["X-Forwarded-For"].ToString();
        var peerText = peer is null ? null : TextOf(peer);
        Set(headers, "X-Forwarded-For", peer is not null && incoming.Length > 0 && trustedProxies.Contains(peer) ? $"{incoming}, {peerText}" : peerText);
        Set(headers, "X-Forwarded-Proto", httpContext.Request.Scheme);
        Set(headers, "X-Forwarded-Host", httpContext.Request.Host.Value);
        if (KeepsHost && httpContext.Request.Host.HasValue)
        {
            headers.Host = httpContext.Request.Host.Value;
        }

        headers.Remove(MeshHeaders.OriginalProtocol);
        if (hopId is not null)
        {
            headers.TryAddWithoutValidation(MeshHeaders.Hop, hopId);

            // Sent over HTTP/2 to a meshed service though the application spoke HTTP/1.x: the far side restores it.
            if (proxyRequest.Version.Major == 2 && !HttpProtocol.IsHttp2(httpContext.Request.Protocol))
            {
                headers.TryAddWithoutValidation(MeshHeaders.OriginalProtocol, httpContext.Request.Protocol);
            }
        }
        else
        {
            headers.Remove(MeshHeaders.Hop);

            // The caller the sidecar verified, and no other: a mesh-client-id from outside never reaches the application.
            headers.Remove(MeshHeaders.ClientId);
            if (knowsCallers)
            {
                var caller = InboundPeers.Of(httpContext);
                proxyRequest.Options.Set(InboundPeer.Key, caller);
                if (caller.ClientId is { } clientId)
                {
                    headers.TryAddWithoutValidation(MeshHeaders.ClientId, clientId);
                }
            }
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null && proxyResponse.Headers.NonValidated.TryGetValues(HeaderNames.Connection, out var connection))
        {
            ConnectionNominatedHeaders.Remove(connection, httpContext.Response.Headers);
        }

        return copyBody;
    }

    private static void Set(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string? value)
    {
        headers.Remove(name);
        if (!string.IsNullOrEmpty(value))
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    private static IPAddress Normalize(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

    private string TextOf(IPAddress peer)
    {
        var last = _lastPeer;
        if (last is null || !last.Address.Equals(peer))
        {
            last = new PeerText(peer, peer.ToString());
            _lastPeer = last;
        }

        return last.Text;
    }

    private sealed record PeerText(IPAddress Address, string Text);
}
