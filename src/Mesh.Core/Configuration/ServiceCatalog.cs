using System.Collections.Frozen;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Mesh.Configuration;

/// <summary>
/// Answers whether a host name is a configured service: one with endpoints under <c>Services</c>, a policy under
/// <c>Mesh:Services</c>, or a DNS mapping under <c>Mesh:Discovery:Dns:Services</c>. That is what lets a request through
/// the sidecar's outbound listener, and what makes a request's host a discovered service for <c>AddMesh()</c> in-process
/// (any other host is its own one endpoint). The names are read from configuration once per (re)load, not per request:
/// walking the configuration's keys on every request showed in the sidecar's CPU profile.
/// </summary>
internal sealed class ServiceCatalog : IDisposable
{
    // Services whose endpoints come from DNS (Mesh.Discovery.Dns): mapping one there is configuring it.
    private const string DnsServices = "Mesh:Discovery:Dns:Services";

    private readonly IConfiguration? _configuration;
    private readonly IDisposable? _subscription;
    private volatile FrozenSet<string> _names = FrozenSet<string>.Empty;

    /// <summary>Reads the names from <paramref name="configuration"/>, and again on every reload; none without one.</summary>
    public ServiceCatalog(IConfiguration? configuration)
    {
        _configuration = configuration;
        if (configuration is null)
        {
            return;
        }

        // Subscribed before the first read, so a reload in between is not missed.
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Refresh);
        Refresh();
    }

    public bool IsKnown(string service) => _names.Contains(service);

    public IEnumerable<string> Names => _names.Order(StringComparer.OrdinalIgnoreCase);

    /// <summary>The services <paramref name="configuration"/> names: under <c>Services</c>, <c>Mesh:Services</c> or DNS discovery.</summary>
    public static FrozenSet<string> NamesIn(IConfiguration configuration) =>
        configuration.GetSection("Services").GetChildren()
            .Concat(configuration.GetSection(MeshServiceOptions.SectionName).GetChildren())
            .Concat(configuration.GetSection(DnsServices).GetChildren())
            .Select(static section => section.Key)
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private void Refresh() => _names = NamesIn(_configuration!);

    public void Dispose() => _subscription?.Dispose();
}
