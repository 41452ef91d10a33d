namespace Mesh.Discovery.Dns.Telemetry;

/// <summary>The names of DNS discovery's instruments and tags, on Mesh's one meter (<c>Mesh</c>).</summary>
public static class DnsInstruments
{
    /// <summary>
    /// Counter: DNS lookups that failed (no answer, an error code, no records, no address). The service keeps its last
    /// good endpoints meanwhile; <c>mesh.discovery.errors</c> counts the same refresh from Mesh's side.
    /// Prometheus: <c>mesh_discovery_dns_errors_total</c>.
    /// </summary>
    public const string Errors = "mesh.discovery.dns.errors";

    /// <summary>Tag: the logical service name.</summary>
    public const string ServiceTag = "mesh.service";

    /// <summary>Tag: why the lookup failed: <c>timeout</c>, <c>transport</c>, <c>nxdomain</c>, <c>rcode_*</c>, <c>no_records</c>, <c>no_address</c> or <c>invalid_name</c>.</summary>
    public const string ErrorTypeTag = "error.type";
}
