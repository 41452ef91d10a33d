using Mesh.Configuration.Shape;
using Mesh.Discovery.Dns;
using Mesh.ProxyHost.Features.Authorization;
using Mesh.ProxyHost.Features.Identity;

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
        .Register<IdentityOptions>()
        .Register<InboundAuthorizationOptions>()
        .Register<AuthorizationRuleOptions>()
        .Map<ProxyOptions>(ProxyOptions.SectionName)
        .Map<AdminOptions>(AdminOptions.SectionName)
        .Map<MeshDnsOptions>(MeshDnsOptions.SectionName)
        .Map<IdentityOptions>(IdentityOptions.SectionName)
        .Value<string>("Mesh:ConfigFile")
        .Value<string>("Mesh:Telemetry:Otlp:Endpoint");
}
