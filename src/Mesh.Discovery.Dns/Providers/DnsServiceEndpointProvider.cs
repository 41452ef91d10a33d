using Mesh.Discovery.Dns.Naming;
using Mesh.Discovery.Dns.Resolution;
using Mesh.Discovery.Dns.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh.Discovery.Dns.Providers;

/// <summary>
/// One service's endpoints from DNS. Each lookup adds the endpoints it found and a change token that fires when
/// their TTL (clamped to [MinTtl, MaxTtl]) runs out, so Mesh's discovery looks again then. A failed lookup throws:
/// Mesh's discovery keeps the last good endpoints and retries with backoff, while this provider logs the reason and
/// counts it in <c>mesh.discovery.dns.errors</c>. Endpoints that an earlier provider (configuration) already
/// supplied win, as between Microsoft.Extensions.ServiceDiscovery's own providers.
/// </summary>
internal sealed partial class DnsServiceEndpointProvider(
    string service,
    IOptionsMonitor<MeshDnsOptions> options,
    IOptionsChangeTokenSource<MeshDnsOptions>[] changes,
    DnsResolver resolver,
    DnsTelemetry telemetry,
    TimeProvider time,
    ILogger logger) : IServiceEndpointProvider
{
    private CancellationTokenSource? _expiry;

    public async ValueTask PopulateAsync(IServiceEndpointBuilder endpoints, CancellationToken cancellationToken)
    {
        // A reload of Mesh:Discovery:Dns (a service mapped, a server changed) is a reason to look again at once.
        foreach (var source in changes)
        {
            endpoints.AddChangeToken(source.GetChangeToken());
        }

        if (endpoints.Endpoints.Count != 0)
        {
            Log.Skipped(logger, service, endpoints.Endpoints.Count);
            return;
        }

        var current = options.CurrentValue;
        if (!DnsServiceNames.TryGetEntry(current, service, out var entry))
        {
            return;
        }

        if (!DnsServiceNames.TryParse(current, service, entry, out var target, out var invalid))
        {
            // Validation at start (and the sidecar's on reload) keeps this from happening; said plainly if it does.
            var error = new DnsResolutionException(DnsErrorReasons.InvalidName, $"{MeshDnsOptions.SectionName}:Services:{service} {invalid}");
            Fail(error, entry);
            throw error;
        }

        DnsResolution resolution;
        try
        {
            resolution = await resolver.ResolveAsync(current, target, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResolutionException ex)
        {
            Fail(ex, target.ToString());
            throw;
        }

        var ttl = TtlPolicy.Clamp(resolution.Ttl, current.MinTtl, current.MaxTtl);
        foreach (var address in resolution.Endpoints)
        {
            var endpoint = ServiceEndpoint.Create(address);
            endpoint.Features.Set<IServiceEndpointProvider>(this);
            endpoints.Endpoints.Add(endpoint);
        }

        endpoints.AddChangeToken(ExpiresAfter(ttl));
        Log.Resolved(logger, service, target.ToString(), resolution.Endpoints.Count, resolution.Ttl.TotalSeconds, ttl.TotalSeconds);
    }

    /// <summary>A token that fires after <paramref name="ttl"/> on <see cref="TimeProvider"/>; the previous one is released.</summary>
    private CancellationChangeToken ExpiresAfter(TimeSpan ttl)
    {
        var expiry = new CancellationTokenSource(ttl, time);
        Interlocked.Exchange(ref _expiry, expiry)?.Dispose();
        return new CancellationChangeToken(expiry.Token);
    }

    private void Fail(DnsResolutionException exception, string target)
    {
        telemetry.RecordError(service, exception.Reason);
        Log.Failed(logger, exception, service, target, exception.Reason);
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _expiry, null)?.Dispose();
        return default;
    }

    public override string ToString() => "DNS";
}
