namespace Mesh.Telemetry;

/// <summary>
/// Who called, as the sidecar's inbound listener established it for the connection: over TLS or not, and the SPIFFE ID
/// its client certificate proved. Carried on the forwarded request (<see cref="Key"/>) so the request's metrics
/// (<c>tls</c>, <c>client_id</c>), span and tap event name the caller. Set only by a sidecar with an identity.
/// </summary>
/// <param name="Tls">Whether the connection was TLS.</param>
/// <param name="ClientId">The SPIFFE ID the client's certificate proved; null when it presented none.</param>
/// <param name="ClientIdTag">The <c>client_id</c> metrics carry: the ID, or <c>other</c> past the bound on distinct values.</param>
internal sealed record InboundPeer(bool Tls, string? ClientId, string? ClientIdTag)
{
    /// <summary>Where the forwarded request carries it.</summary>
    public static readonly HttpRequestOptionsKey<InboundPeer> Key = new("Mesh.InboundPeer");

    /// <summary>A caller in plaintext.</summary>
    public static readonly InboundPeer Plaintext = new(false, null, null);

    /// <summary>The value of the <c>tls</c> tag.</summary>
    public string TlsTag => Tls ? "true" : "false";

    /// <summary>Gets the peer a request carries; null when none was set (an outbound request, a sidecar without identity).</summary>
    public static InboundPeer? Of(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var peer) ? peer : null;
}
