using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh.Discovery.Dns.Tests.Infrastructure;

/// <summary>What a provider hands back to Microsoft.Extensions.ServiceDiscovery: endpoints and change tokens.</summary>
public sealed class EndpointBuilder : IServiceEndpointBuilder
{
    public IList<ServiceEndpoint> Endpoints { get; } = [];

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public List<IChangeToken> ChangeTokens { get; } = [];

    public bool HasChanged => ChangeTokens.Any(static t => t.HasChanged);

    public IReadOnlyList<string> Addresses => [.. Endpoints.Select(static e => e.EndPoint.ToString()!).Order(StringComparer.Ordinal)];

    public void AddChangeToken(IChangeToken changeToken) => ChangeTokens.Add(changeToken);
}
