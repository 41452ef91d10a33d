using System.Net;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh.Discovery;

/// <summary>Turns what Microsoft.Extensions.ServiceDiscovery resolved into base addresses.</summary>
internal static class EndpointAddress
{
    public static Uri? From(ServiceEndpoint endpoint) => endpoint.EndPoint switch
    {
        UriEndPoint uri => uri.Uri,
        // Port 0 means "none given": the scheme's default, as for a DNS name (an IPEndPoint would print ":0").
        IPEndPoint { Port: 0 } ip => new UriBuilder(Uri.UriSchemeHttp, ip.Address.ToString()).Uri,
        IPEndPoint ip => new Uri($"http://{ip}"),
        DnsEndPoint { Port: 0 } dns => new Uri($"http://{dns.Host}"),
        DnsEndPoint dns => new Uri($"http://{dns.Host}:{dns.Port}"),
        _ => null,
    };
}
