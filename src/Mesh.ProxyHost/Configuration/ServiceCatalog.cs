using Mesh.Configuration;
using Microsoft.Extensions.Configuration;

namespace Mesh.ProxyHost.Configuration;

/// <summary>Answers whether a host name is a configured service, which is what lets a request through the outbound listener.</summary>
internal sealed class ServiceCatalog(IConfiguration configuration)
{
    // Services whose endpoints come from DNS (Mesh.Discovery.Dns): mapping one there is configuring it.
    private const string DnsServices = "Mesh:Discovery:Dns:Services";

    public bool IsKnown(string service) =>
        configuration.GetSection("Services").GetSection(service).Exists() ||
        configuration.GetSection(MeshServiceOptions.SectionName).GetSection(service).Exists() ||
        configuration.GetSection(DnsServices).GetSection(service).Exists();

    public IEnumerable<string> Names =>
        configuration.GetSection("Services").GetChildren().Select(s => s.Key)
            .Concat(configuration.GetSection(MeshServiceOptions.SectionName).GetChildren().Select(s => s.Key))
            .Concat(configuration.GetSection(DnsServices).GetChildren().Select(s => s.Key))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase);
}
