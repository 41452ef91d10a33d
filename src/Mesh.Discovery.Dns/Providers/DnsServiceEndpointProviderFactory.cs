using System.Diagnostics.CodeAnalysis;
using Mesh.Discovery.Dns.Resolution;
using Mesh.Discovery.Dns.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh.Discovery.Dns.Providers;

/// <summary>
/// Gives every service a DNS provider. The provider reads the service's entry at each lookup, so a configuration
/// reload that maps (or unmaps) a service takes effect without a restart; a service without an entry is never looked up.
/// </summary>
internal sealed class DnsServiceEndpointProviderFactory(
    IOptionsMonitor<MeshDnsOptions> options,
    IEnumerable<IOptionsChangeTokenSource<MeshDnsOptions>> changes,
    DnsResolver resolver,
    DnsTelemetry telemetry,
    TimeProvider time,
    ILoggerFactory loggers) : IServiceEndpointProviderFactory
{
    private readonly IOptionsChangeTokenSource<MeshDnsOptions>[] _changes = [.. changes];
    private readonly ILogger _logger = loggers.CreateLogger("Mesh.Discovery.Dns");

    public bool TryCreateProvider(ServiceEndpointQuery query, [NotNullWhen(true)] out IServiceEndpointProvider? provider)
    {
        provider = new DnsServiceEndpointProvider(query.ServiceName, options, _changes, resolver, telemetry, time, _logger);
        return true;
    }
}
