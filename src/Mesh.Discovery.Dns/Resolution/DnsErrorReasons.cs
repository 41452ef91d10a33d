namespace Mesh.Discovery.Dns.Resolution;

/// <summary>Why a lookup failed: the <c>error.type</c> tag of <c>mesh.discovery.dns.errors</c> and the reason in the log.</summary>
internal static class DnsErrorReasons
{
    /// <summary>No answer within <see cref="MeshDnsOptions.Timeout"/>, after every retry (the server is down or unreachable).</summary>
    public const string Timeout = "timeout";

    /// <summary>The query could not be sent or its answer not read (connection refused, network unreachable).</summary>
    public const string Transport = "transport";

    /// <summary>The name does not exist (NXDOMAIN): a Kubernetes headless Service with no ready pod answers so.</summary>
    public const string NameError = "nxdomain";

    /// <summary>The server answered with another error code: <c>rcode_</c> and its name, e.g. <c>rcode_serverfailure</c>.</summary>
    public const string ResponseCodePrefix = "rcode_";

    /// <summary>The name exists but has no records of the type asked for.</summary>
    public const string NoRecords = "no_records";

    /// <summary>SRV records were found but none of their targets had an address.</summary>
    public const string NoAddress = "no_address";

    /// <summary>The service's entry in <see cref="MeshDnsOptions.Services"/> is not a name Mesh can look up.</summary>
    public const string InvalidName = "invalid_name";
}
