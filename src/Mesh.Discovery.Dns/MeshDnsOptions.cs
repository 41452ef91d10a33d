using Mesh.Discovery.Dns.Configuration;
using Microsoft.Extensions.Configuration;

namespace Mesh.Discovery.Dns;

/// <summary>
/// DNS discovery, bound from <c>Mesh:Discovery:Dns</c>. Only services named in <see cref="Services"/> are ever looked
/// up, so a host (the sidecar above all) never resolves a name that its configuration did not map to a service.
/// </summary>
/// <remarks>
/// <para>A <see cref="Services"/> entry is one of:</para>
/// <list type="bullet">
/// <item><description>empty: the Kubernetes naming rule, an SRV query for
/// <c>_{PortName}._tcp.{service}.{Namespace}.svc.{ClusterDomain}</c> (a headless Service publishes one per named port);</description></item>
/// <item><description>an SRV name starting with <c>_</c>, e.g. <c>_http._tcp.orders.example.</c>: targets and ports from the SRV
/// records of the lowest priority (weights are ignored, Mesh's balancer spreads the load), addresses from the additional
/// section or, when it lacks them, an A/AAAA query per target;</description></item>
/// <item><description><c>host:port</c>, e.g. <c>orders.example:8080</c>: every A and AAAA record of the host, on that port.</description></item>
/// </list>
/// <para>Endpoints are looked up again when the shortest TTL of the records used runs out, kept within
/// [<see cref="MinTtl"/>, <see cref="MaxTtl"/>]. A failed lookup keeps the last good endpoints (Mesh's discovery retries
/// with backoff) and counts in <c>mesh.discovery.dns.errors</c>.</para>
/// </remarks>
public sealed class MeshDnsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Mesh:Discovery:Dns";

    /// <summary>
    /// Checks the <c>Mesh:Discovery:Dns</c> section of <paramref name="configuration"/> as <c>AddMeshDnsDiscovery</c>
    /// does at start, for a host that validates all its configuration at once (the sidecar rejects a bad reload whole):
    /// every error, each with its key and the reason, e.g.
    /// <c>Mesh:Discovery:Dns:Servers:0 must be ip or ip:port, was 'dns.example'</c>.
    /// </summary>
    /// <param name="configuration">The whole configuration.</param>
    /// <returns>The errors; none when the section is valid or absent.</returns>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return MeshDnsOptionsValidator.Validate(configuration);
    }

    /// <summary>
    /// Gets the DNS servers to ask, each <c>ip</c> or <c>ip:port</c> (port 53 when left out; IPv6 as <c>[::1]:53</c>).
    /// Default: empty, meaning the system's resolvers (<c>/etc/resolv.conf</c>, which in a pod is the cluster DNS).
    /// </summary>
    public IList<string> Servers { get; set; } = [];

    /// <summary>Gets the services resolved through DNS: service name → DNS name (see the remarks). Default: none.</summary>
    public IDictionary<string, string> Services { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the Kubernetes namespace the naming rule uses. Default: <c>default</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>Gets or sets the cluster domain the naming rule uses. Default: <c>cluster.local</c>.</summary>
    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>Gets or sets the Service port name the naming rule uses (the SRV service label). Default: <c>http</c>.</summary>
    public string PortName { get; set; } = "http";

    /// <summary>
    /// Gets or sets the shortest time between two lookups of one service, however small the TTL (CoreDNS answers
    /// cluster names with TTL 5 s by default, dnsmasq with 0). Default: 1 s. Must be greater than zero.
    /// </summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest time between two lookups of one service, however large the TTL. Default: 60 s.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long one query waits for an answer before it is tried again or fails. Default: 2 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how many times a query that got no answer is sent again. Default: 1. Range: [0, 5].</summary>
    public int Retries { get; set; } = 1;
}
