using Mesh.Configuration.Shape;
using Mesh.Discovery.Dns;

namespace Mesh.ProxyHost.Configuration;

/// <summary>The keys the sidecar reads under <c>Mesh:</c>: every service's and the sidecar's own.</summary>
internal static class SidecarConfigurationShape
{
    public static ConfigurationShape Create() => ConfigurationShape.ForServices()
        .Register<ProxyOptions>()
        .Register<OutboundOptions>()
        .Register<InboundOptions>()
        .Register<TcpOptions>()
        .Register<AdminOptions>()
        .Register<MeshDnsOptions>()
        .Map<ProxyOptions>(ProxyOptions.SectionName)
        .Map<AdminOptions>(AdminOptions.SectionName)
        .Map<MeshDnsOptions>(MeshDnsOptions.SectionName)
        .Value<string>("Mesh:ConfigFile")
        .Value<string>("Mesh:Telemetry:Otlp:Endpoint");
}
