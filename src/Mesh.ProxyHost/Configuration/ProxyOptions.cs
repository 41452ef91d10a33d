namespace Mesh.ProxyHost.Configuration;

/// <summary>The sidecar's own settings, under <c>Mesh:Proxy</c> and <c>Mesh:Admin</c>. Listeners are read at start.</summary>
public sealed class ProxyOptions
{
    /// <summary>The section of the listener settings.</summary>
    public const string SectionName = "Mesh:Proxy";

    /// <summary>Gets the listener the local application sends its calls to.</summary>
    public OutboundOptions Outbound { get; set; } = new();

    /// <summary>Gets the listener in front of the local application.</summary>
    public InboundOptions Inbound { get; set; } = new();

    /// <summary>Gets or sets how long <c>/ready</c> answers 503 before listeners close on shutdown, so load balancers stop sending first. Default: 1 s.</summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the addresses of proxies in front of the sidecar whose <c>X-Forwarded-For</c> is kept (the peer is
    /// appended to it); from anyone else the header is replaced by the peer's address, since a client could forge it.
    /// Default: none.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Gets or sets how long a client may take to send a request's headers before its connection is closed (slowloris).
    /// Default: 10 s.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how long the sidecar waits for an upstream connection to open. A connect that times out sent
    /// nothing, so it is retried like a refused one (on another endpoint, for any method). Default: 10 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets the most bytes a request's header fields may take (<c>name: value</c> and CRLF each); a request over it
    /// is answered 431 <c>headers-too-large</c>. Default: 32 KiB, Kestrel's default.
    /// </summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>
    /// Gets or sets whether each listener on <c>127.0.0.1</c> or <c>0.0.0.0</c> with a fixed port also listens on
    /// <c>[::1]</c> or <c>[::]</c> (IPv6 only), with the same port and role, where the host has IPv6: interception of
    /// IPv6 (ip6tables REDIRECT) delivers there. Default: true.
    /// </summary>
    public bool ListenIPv6 { get; set; } = true;

    /// <summary>Gets or sets how long in-flight requests may take to finish on shutdown. Default: 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how many client connections all listeners together keep open; a connection over the limit is closed
    /// as soon as it is accepted. Each open connection holds buffers (up to 1 MiB of request data in flight, Kestrel's
    /// default), so this bounds the memory that grows with connections. Default: 10,000.
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how long the sidecar waits for the first bytes of an intercepted connection to tell its protocol
    /// (HTTP/1, HTTP/2, or anything else: opaque TCP). A client that sends nothing in that time is taken to speak a
    /// server-first protocol: its connection is forwarded as opaque TCP, and when the server does speak first, the
    /// destination is remembered so its next connections skip the wait. Default: 1 s. HTTP and gRPC clients send at
    /// once; Linkerd waits 10 s, which a server-first client pays on its first connection (longer than MySQL's
    /// default connect timeout); Istio's 100 ms misread busy clients.
    /// </summary>
    public TimeSpan DetectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the destination ports whose intercepted connections are opaque TCP without detection: protocols
    /// where the server speaks first or that are never HTTP. Ports and ranges separated by commas (<c>25,3306,8000-8100</c>);
    /// empty for none. Default: Linkerd's list (SMTP 25 and 587, MySQL 3306, Galera 4444, PostgreSQL 5432, Redis 6379,
    /// Elasticsearch 9300, memcached 11211) with FTP 21, SSH 22, POP3 110 and IMAP 143.
    /// </summary>
    public string OpaquePorts { get; set; } = DefaultOpaquePorts;

    /// <summary>The default of <see cref="OpaquePorts"/>.</summary>
    public const string DefaultOpaquePorts = "21,22,25,110,143,587,3306,4444,5432,6379,9300,11211";

    /// <summary>Gets the settings of opaque TCP connections.</summary>
    public TcpOptions Tcp { get; set; } = new();
}

/// <summary>Opaque TCP connections (what the sidecar forwards as bytes), under <c>Mesh:Proxy:Tcp</c>.</summary>
public sealed class TcpOptions
{
    /// <summary>The longest <see cref="IdleTimeout"/> (a timer's due time must stay under about 49 days).</summary>
    public static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromDays(30);

    /// <summary>
    /// Gets or sets how long an opaque TCP connection may pass no byte either way before the sidecar closes both its
    /// sides (outcome <c>idle_timeout</c>): a peer that vanished without a FIN or a reset, or a relay neither side uses,
    /// would otherwise hold a connection and its buffers for ever. Zero turns it off. Default: 1 hour, as Envoy's
    /// tcp_proxy <c>idle_timeout</c>; Linkerd has none for opaque TCP; HAProxy's <c>timeout client</c>/<c>timeout
    /// server</c> have no default (it warns), often set to an hour for databases.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>The outbound listener: the local application's calls to other services.</summary>
public sealed class OutboundOptions
{
    /// <summary>Gets or sets the HTTP/1.1 address. Default: <c>127.0.0.1:4140</c>.</summary>
    public string Listen { get; set; } = "127.0.0.1:4140";

    /// <summary>
    /// Gets or sets the cleartext HTTP/2 (prior knowledge, gRPC) address. Default: <c>127.0.0.1:4142</c>. Kestrel cannot
    /// serve HTTP/1.1 and cleartext HTTP/2 on one port, so h2c has its own. Empty turns it off.
    /// </summary>
    public string ListenHttp2 { get; set; } = "127.0.0.1:4142";

    /// <summary>
    /// Gets or sets whether a host that is not a configured service is resolved through DNS and forwarded.
    /// Default: false, so the sidecar is never an open proxy.
    /// </summary>
    public bool AllowUnknownHosts { get; set; }
}

/// <summary>The inbound listener: calls from other services to the local application.</summary>
public sealed class InboundOptions
{
    /// <summary>Gets or sets the address. Default: <c>0.0.0.0:4143</c>. Empty turns it off.</summary>
    public string Listen { get; set; } = "0.0.0.0:4143";

    /// <summary>
    /// Gets or sets a cleartext HTTP/2 (prior knowledge) address for gRPC callers, forwarded to the application as
    /// HTTP/2. Default: empty (off); e.g. <c>0.0.0.0:4144</c>.
    /// </summary>
    public string ListenHttp2 { get; set; } = "";

    /// <summary>Gets or sets the local application. Default: <c>http://127.0.0.1:8080</c>.</summary>
    public string Target { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Gets or sets the name of the local application in inbound metrics (<c>mesh.service</c>). Default: <c>local</c>.</summary>
    public string Service { get; set; } = "local";

    /// <summary>
    /// Gets or sets whether callers must come over mutual TLS: <c>Permissive</c> (the default, for adopting Mesh one
    /// service at a time: plaintext callers are still served, labelled <c>tls=false</c>) or <c>Strict</c> (a caller
    /// without a client certificate of the trust domain is refused and counted). <c>Strict</c> needs
    /// <c>Mesh:Identity</c>. Read at start.
    /// </summary>
    public string Tls { get; set; } = InboundTlsModes.Permissive;

    /// <summary>Gets or sets which callers may reach the application (hot-reloaded). Default: all of them.</summary>
    public Features.Authorization.InboundAuthorizationOptions Authorization { get; set; } = new();

    /// <summary>Gets whether <see cref="Tls"/> is <c>Strict</c>.</summary>
    public bool IsStrict => string.Equals(Tls, InboundTlsModes.Strict, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The values of <c>Mesh:Proxy:Inbound:Tls</c>.</summary>
public static class InboundTlsModes
{
    /// <summary>Plaintext callers are served too.</summary>
    public const string Permissive = "Permissive";

    /// <summary>Only callers with a client certificate of the trust domain are served.</summary>
    public const string Strict = "Strict";
}

/// <summary>The admin listener: metrics, health and configuration.</summary>
public sealed class AdminOptions
{
    /// <summary>The section of the admin settings.</summary>
    public const string SectionName = "Mesh:Admin";

    /// <summary>Gets or sets the address. Default: <c>127.0.0.1:4191</c>.</summary>
    public string Listen { get; set; } = "127.0.0.1:4191";

    /// <summary>Gets or sets whether the admin listener may bind a non-loopback address. Default: false.</summary>
    public bool AllowNonLoopback { get; set; }
}

/// <summary>Helpers over <see cref="ProxyOptions"/>.</summary>
internal static class ProxyOptionsExtensions
{
    /// <summary>Gets the trusted proxies as addresses (validated at start).</summary>
    public static HashSet<System.Net.IPAddress> TrustedProxyAddresses(this ProxyOptions options) =>
        [.. options.TrustedProxies.Select(System.Net.IPAddress.Parse)];
}
