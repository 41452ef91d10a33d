using System.Collections.Concurrent;
using Mesh.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// The caller of each inbound connection, set once as its TLS handshake ends (<see cref="InboundTls"/>) and read by
/// every request on it: a plaintext connection has none set and is <see cref="InboundPeer.Plaintext"/>. The
/// <c>client_id</c> metrics carry is bounded: past <see cref="MaxClientIds"/> distinct SPIFFE IDs over the process's
/// life, a new one is counted as <c>other</c> (the ID itself still reaches the application and authorization).
/// </summary>
internal sealed class InboundPeers
{
    /// <summary>The most distinct <c>client_id</c> values metrics name.</summary>
    public const int MaxClientIds = 1000;

    /// <summary>The <c>client_id</c> of the callers past <see cref="MaxClientIds"/>.</summary>
    public const string OtherClient = "other";

    private const string ItemKey = "mesh.peer";
    private readonly ConcurrentDictionary<string, InboundPeer> _verified = new(StringComparer.Ordinal);
    private static readonly InboundPeer TlsWithoutCertificate = new(true, null, null);

    /// <summary>Records the caller of <paramref name="connection"/>: the SPIFFE ID it proved, or null for TLS without a client certificate.</summary>
    public void Set(ConnectionContext connection, string? clientId) =>
        connection.Items[ItemKey] = clientId is null ? TlsWithoutCertificate : PeerFor(clientId);

    /// <summary>Gets the caller of the request's connection.</summary>
    public static InboundPeer Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var peer) == true && peer is InboundPeer known ? known : InboundPeer.Plaintext;

    private InboundPeer PeerFor(string clientId)
    {
        if (_verified.TryGetValue(clientId, out var peer))
        {
            return peer;
        }

        // Under a race the table may pass the bound by a few entries; it stays bounded.
        return _verified.Count >= MaxClientIds
            ? new InboundPeer(true, clientId, OtherClient)
            : _verified.GetOrAdd(clientId, static id => new InboundPeer(true, id, id));
    }
}
