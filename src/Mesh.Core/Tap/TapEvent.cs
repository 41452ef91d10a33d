using System.Text.Json.Serialization;
using Mesh.Admin;

namespace Mesh.Tap;

/// <summary>
/// One request as the tap shows it: who called what, what came back, and its fate (each attempt, each retry and why a
/// retry was not made). Never bodies, query strings or headers, so credentials and cookies cannot leak into it.
/// </summary>
/// <param name="Time">When the request completed.</param>
/// <param name="Direction"><c>outbound</c> or <c>inbound</c>.</param>
/// <param name="Service">The logical service.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Authority">The authority the caller addressed (the service name for outbound calls).</param>
/// <param name="Path">The path, without the query string.</param>
/// <param name="Status">The status the caller got; null when it got an error instead of a response.</param>
/// <param name="DurationMs">How long the caller waited, in milliseconds (<c>/tap</c> writes 3 decimals).</param>
/// <param name="Classification"><c>success</c> or <c>failure</c>.</param>
/// <param name="Endpoint">The endpoint that answered, if any.</param>
/// <param name="Attempts">Each attempt in order.</param>
/// <param name="Retries">Why each retry was made, in order (<c>status_503</c>, <c>connect_error</c>, <c>hedge</c>, ...).</param>
/// <param name="RetrySkipped">Why the last failure was not retried, if it was not (<c>budget_exhausted</c>, <c>not_retryable</c>, <c>body_not_replayable</c>, <c>deadline</c>, <c>max_retries</c>).</param>
/// <param name="TraceId">The W3C trace id, when the request was traced.</param>
/// <param name="GrpcStatus">A gRPC call's status code, from its headers or, for a stream, its trailers; null for other requests.</param>
/// <param name="Tcp">For an opaque TCP connection the sidecar forwarded (method <c>TCP</c>, authority the destination): its bytes and how it ended; null for requests.</param>
/// <param name="Tls">For an inbound request to a sidecar with an identity: whether its caller came over TLS; null (and not written) otherwise.</param>
/// <param name="ClientId">For an inbound request: the SPIFFE ID the caller's client certificate proved; null (and not written) when none.</param>
/// <param name="Route">The request's <c>mesh.route</c>: its route's name, its gRPC method path, <c>default</c> or <c>other</c>.</param>
/// <param name="Backend">The backend service of a traffic split its last attempt went to; null for a service that does not split.</param>
/// <remarks>This record is the <c>/tap</c> wire format too: <see cref="MeshAdminJsonContext"/> writes and reads it.</remarks>
public sealed record TapEvent(
    DateTimeOffset Time,
    string Direction,
    string Service,
    string Method,
    string Authority,
    string Path,
    int? Status,
    [property: JsonConverter(typeof(MillisecondsConverter))] double DurationMs,
    string Classification,
    string? Endpoint,
    IReadOnlyList<TapAttempt> Attempts,
    IReadOnlyList<string> Retries,
    string? RetrySkipped,
    string? TraceId,
    int? GrpcStatus = null,
    TapTcp? Tcp = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Tls = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId = null,
    string? Route = null,
    string? Backend = null)
{
    /// <summary>The method of the events that show opaque TCP connections.</summary>
    public const string TcpMethod = "TCP";

    /// <summary>The event of an opaque TCP connection that just closed.</summary>
    internal static TapEvent ForTcp(DateTimeOffset time, string direction, string service, string destination, double durationMs, string outcome, string? endpoint, TapTcp tcp) =>
        new(time, direction, service, TcpMethod, destination, "", null, durationMs, outcome == "closed" ? "success" : "failure", endpoint, [], [], null, null, null, tcp);

    /// <summary>
    /// Gets the request body bytes the caller sent (on an upgraded connection, all it sent over it), when known as the
    /// event is written: for a request that failed, a response without a body, a gRPC call, an upgraded connection;
    /// null for a response whose body was still to come.
    /// </summary>
    public long? RequestBytes { get; init; }

    /// <summary>Gets the response body bytes the caller received (on an upgraded connection, all it received), when known as the event is written.</summary>
    public long? ResponseBytes { get; init; }
}

/// <summary>An opaque TCP connection in a <see cref="TapEvent"/>.</summary>
/// <param name="TransmittedBytes">Bytes the client sent through it towards the destination.</param>
/// <param name="ReceivedBytes">Bytes the destination sent back.</param>
/// <param name="Outcome">How it ended: <c>closed</c>, <c>reset</c>, <c>idle_timeout</c>, <c>connect_error</c>, <c>no_endpoints</c>, <c>refused</c>.</param>
/// <param name="Detection">Why it was opaque: <c>opaque_port</c>, <c>remembered</c>, <c>timeout</c>, <c>tls</c>, <c>not_http</c>.</param>
public sealed record TapTcp(long TransmittedBytes, long ReceivedBytes, string Outcome, string Detection);

/// <summary>One attempt of a tapped request.</summary>
/// <param name="Endpoint">The endpoint tried.</param>
/// <param name="Outcome">Its classification reason: <c>ok</c>, <c>status_503</c>, <c>timeout</c>, <c>connect_error</c>, ...</param>
/// <param name="Status">The status it got, if any.</param>
/// <param name="DurationMs">How long it took, in milliseconds (<c>/tap</c> writes 3 decimals).</param>
public sealed record TapAttempt(string Endpoint, string Outcome, int? Status, [property: JsonConverter(typeof(MillisecondsConverter))] double DurationMs);
