namespace Mesh.Telemetry;

/// <summary>
/// The names of Mesh's meter, activity source, instruments and tags, in OpenTelemetry form.
/// The Prometheus exporter renders <c>mesh.request.duration</c> as <c>mesh_request_duration_seconds</c>.
/// Every instrument is documented in docs/metrics.md.
/// </summary>
public static class MeshInstruments
{
    /// <summary>The name of Mesh's one <see cref="System.Diagnostics.Metrics.Meter"/> and one <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string Name = "Mesh";

    /// <summary>Counter: logical requests as the caller saw them, after retries.</summary>
    public const string Requests = "mesh.requests";

    /// <summary>Histogram (s): duration of logical requests, after retries.</summary>
    public const string RequestDuration = "mesh.request.duration";

    /// <summary>Counter: attempts, one per try on one endpoint.</summary>
    public const string Attempts = "mesh.attempts";

    /// <summary>Histogram (s): duration of attempts.</summary>
    public const string AttemptDuration = "mesh.attempt.duration";

    /// <summary>
    /// Counter (By): request body bytes the callers sent, per logical request however many attempts carried them (on an
    /// upgraded connection, everything the caller sent over it).
    /// </summary>
    public const string RequestBytes = "mesh.request.bytes";

    /// <summary>Counter (By): response body bytes the callers received (on an upgraded connection, everything it received).</summary>
    public const string ResponseBytes = "mesh.response.bytes";

    /// <summary>Gauge: endpoints per service and state.</summary>
    public const string Endpoints = "mesh.endpoints";

    /// <summary>
    /// Gauge: dynamic services held now (made for names configuration does not list, such as the unknown hosts the
    /// sidecar forwards), at most <see cref="DynamicServiceLimit"/>.
    /// </summary>
    public const string DynamicServices = "mesh.dynamic_services";

    /// <summary>Gauge: the most dynamic services held at once (<c>Mesh:DynamicServices:MaxServices</c> as configured now); one more evicts the least recently used.</summary>
    public const string DynamicServiceLimit = "mesh.dynamic_service.limit";

    /// <summary>
    /// Counter: dynamic services evicted, by reason (<see cref="EvictionReasonTag"/>): idle past
    /// <c>Mesh:DynamicServices:IdleTimeout</c>, or the least recently used one when another was made at the limit.
    /// </summary>
    public const string DynamicServiceEvictions = "mesh.dynamic_service.evictions";

    /// <summary>Tag: why a dynamic service was evicted: <c>idle</c> or <c>limit</c> (<c>Mesh:DynamicServices:MaxServices</c> reached).</summary>
    public const string EvictionReasonTag = "mesh.eviction.reason";

    /// <summary>Counter: discovery refreshes that failed or returned nothing, so the last good endpoints were kept.</summary>
    public const string DiscoveryErrors = "mesh.discovery.errors";

    /// <summary>Counter: retries made, by reason (the classification of the attempt that failed).</summary>
    public const string Retries = "mesh.retries";

    /// <summary>Counter: retries the budget refused; the failure went back to the caller at once.</summary>
    public const string RetryBudgetExhausted = "mesh.retry_budget.exhausted";

    /// <summary>Counter: endpoints ejected by failure accrual, by reason.</summary>
    public const string Ejections = "mesh.endpoint.ejections";

    /// <summary>
    /// Counter: answers by which an endpoint asked for less traffic (a 429, or a 503 with <c>Retry-After</c>), each of
    /// which kept it out of balancing until the time it named.
    /// </summary>
    public const string Backpressure = "mesh.endpoint.backpressure";

    /// <summary>Counter (sidecar): responses the sidecar made itself instead of the service's, by reason (<c>mesh-proxy-error</c>).</summary>
    public const string ProxyErrors = "mesh.proxy.errors";

    /// <summary>Gauge (s, sidecar): seconds until the workload certificate expires; negative once it has.</summary>
    public const string IdentityExpiry = "mesh.identity.expiry";

    /// <summary>Counter (sidecar): readings of the identity files after a change, by result.</summary>
    public const string IdentityReloads = "mesh.identity.reloads";

    /// <summary>Counter (sidecar): inbound requests authorization decided, by decision and rule.</summary>
    public const string InboundAuthorizations = "mesh.inbound.authorizations";

    /// <summary>Tag: what inbound authorization decided: <c>allow</c> or <c>deny</c>.</summary>
    public const string AuthorizationDecisionTag = "mesh.authorization.decision";

    /// <summary>Tag: the inbound authorization rule that decided (its configured name), or <c>default</c>.</summary>
    public const string AuthorizationRuleTag = "mesh.authorization.rule";

    /// <summary>Counter (sidecar): inbound callers turned away without an answer (their connection closed), by reason.</summary>
    public const string InboundRefused = "mesh.inbound.refused";

    /// <summary>Tag: why an inbound caller was turned away: <c>plaintext</c> (no mutual TLS under <c>Mesh:Proxy:Inbound:Tls=Strict</c>).</summary>
    public const string RefusalReasonTag = "mesh.refusal.reason";

    /// <summary>Tag: how a reading of the identity files ended: <c>renewed</c>, or <c>rejected</c> (the last good identity stays).</summary>
    public const string IdentityReloadTag = "mesh.identity.reload";

    /// <summary>Counter (sidecar): opaque TCP connections, counted when opened (<c>mesh.tcp.event=open</c>) and again when closed with their outcome (<c>mesh.tcp.event=close</c>).</summary>
    public const string TcpConnections = "mesh.tcp.connections";

    /// <summary>UpDownCounter (sidecar): opaque TCP connections open now.</summary>
    public const string TcpActive = "mesh.tcp.active";

    /// <summary>Counter (By, sidecar): bytes through opaque TCP connections, by <c>network.io.direction</c>.</summary>
    public const string TcpBytes = "mesh.tcp.bytes";

    /// <summary>Histogram (s, sidecar): how long opaque TCP connections were open, by outcome.</summary>
    public const string TcpDuration = "mesh.tcp.duration";

    /// <summary>Tag: <c>open</c> or <c>close</c>, on <c>mesh.tcp.connections</c>.</summary>
    public const string TcpEventTag = "mesh.tcp.event";

    /// <summary>Tag: how a TCP connection ended: <c>closed</c>, <c>reset</c>, <c>connect_error</c>, <c>no_endpoints</c>, <c>refused</c>.</summary>
    public const string TcpOutcomeTag = "mesh.tcp.outcome";

    /// <summary>Tag: why a connection is opaque TCP: <c>opaque_port</c>, <c>remembered</c>, <c>timeout</c>, <c>tls</c>, <c>not_http</c>.</summary>
    public const string TcpDetectionTag = "mesh.tcp.detection";

    /// <summary>Tag: <c>transmit</c> (client to destination) or <c>receive</c> (destination to client), OpenTelemetry's <c>network.io.direction</c>.</summary>
    public const string NetworkIoDirectionTag = "network.io.direction";

    /// <summary>Tag: the reason of a response the sidecar made itself, as in its <c>mesh-proxy-error</c> header, e.g. <c>unknown-service</c>.</summary>
    public const string ProxyErrorTag = "mesh.proxy.error";

    /// <summary>Tag: why a retry was made: the failed attempt's reason, e.g. <c>status_503</c>, <c>connect_error</c>, <c>timeout</c>, or <c>hedge</c>.</summary>
    public const string RetryReasonTag = "mesh.retry.reason";

    /// <summary>Tag: why an endpoint was ejected: <c>consecutive_failures</c>, <c>success_rate</c> or <c>probe_failed</c>.</summary>
    public const string EjectionReasonTag = "mesh.ejection.reason";

    /// <summary>Tag: <c>outbound</c> or <c>inbound</c>.</summary>
    public const string DirectionTag = "mesh.direction";

    /// <summary>Tag: the logical service name.</summary>
    public const string ServiceTag = "mesh.service";

    /// <summary>Tag: the endpoint's authority.</summary>
    public const string EndpointTag = "mesh.endpoint";

    /// <summary>Tag: <c>success</c> or <c>failure</c>.</summary>
    public const string ClassificationTag = "mesh.classification";

    /// <summary>Tag: <c>ready</c>, <c>loaded</c> (ready, but it asked for less traffic), <c>ejected</c> or <c>probing</c>.</summary>
    public const string EndpointStateTag = "mesh.endpoint.state";

    /// <summary>Tag: why discovery kept the last good endpoints (<c>error</c> or <c>empty</c>).</summary>
    public const string DiscoveryReasonTag = "mesh.discovery.reason";

    /// <summary>Tag: the HTTP method (OpenTelemetry semantic convention).</summary>
    public const string MethodTag = "http.request.method";

    /// <summary>Tag: the HTTP status code (OpenTelemetry semantic convention).</summary>
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>Tag: what went wrong when there was no response (OpenTelemetry semantic convention).</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>Tag (inbound, sidecar with an identity): whether the caller came over TLS, <c>true</c> or <c>false</c>.</summary>
    public const string TlsTag = "tls";

    /// <summary>Tag (inbound): the SPIFFE ID the caller's client certificate proved (or <c>other</c> past the bound on distinct values); absent when it proved none.</summary>
    public const string ClientIdTag = "client_id";

    /// <summary>Tag: a gRPC call's status code, from its headers or its trailers (OpenTelemetry semantic convention).</summary>
    public const string GrpcStatusCodeTag = "rpc.grpc.status_code";

    /// <summary>
    /// Tag: the request's route: the name of the configured route it matched, else its gRPC method path
    /// (<c>/pkg.Service/Method</c>, at most <c>MaxRouteValues</c> per service, then <c>other</c>), else <c>default</c>.
    /// </summary>
    public const string RouteTag = "mesh.route";

    /// <summary>Tag: the backend service of a traffic split that answered (<c>Backends</c>); absent for a service that does not split.</summary>
    public const string BackendTag = "mesh.backend";
}
