using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Mesh.Discovery.Dns.Naming;

namespace Mesh.Discovery.Dns.Resolution;

/// <summary>
/// Looks one <see cref="DnsTarget"/> up with DnsClient: SRV targets and ports (addresses from the additional section,
/// or an A/AAAA query per target that lacks them), or a host's A and AAAA records. DnsClient's own cache is off: Mesh
/// re-asks at the TTL, and a cache would only hide changes for that long again. Every failure becomes a
/// <see cref="DnsResolutionException"/> whose reason is one of <see cref="DnsErrorReasons"/>.
/// </summary>
internal sealed class DnsResolver
{
    private static readonly QueryType[] AddressTypes = [QueryType.A, QueryType.AAAA];

    private ClientEntry? _client;

    public async Task<DnsResolution> ResolveAsync(MeshDnsOptions options, DnsTarget target, CancellationToken cancellationToken)
    {
        var client = ClientFor(options);
        return target.Kind == DnsTargetKind.Srv
            ? await ResolveSrvAsync(client, target.Name, cancellationToken).ConfigureAwait(false)
            : await ResolveHostAsync(client, target.Name, target.Port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The client for these options: options are immutable once built, so a reload brings a new instance and a new client.</summary>
    internal ILookupClient ClientFor(MeshDnsOptions options)
    {
        var current = Volatile.Read(ref _client);
        if (current is not null && ReferenceEquals(current.Options, options))
        {
            return current.Client;
        }

        var servers = new List<NameServer>();
        foreach (var value in options.Servers)
        {
            if (DnsServers.TryParse(value, out var server))
            {
                servers.Add(new NameServer(server));
            }
        }

        // No servers configured: the system's resolvers (in a pod, the cluster DNS from /etc/resolv.conf).
        var settings = servers.Count == 0 ? new LookupClientOptions() : new LookupClientOptions([.. servers]);
        settings.UseCache = false;
        settings.Timeout = options.Timeout;
        settings.Retries = options.Retries;
        settings.ThrowDnsErrors = false;
        settings.ContinueOnDnsError = true;
        var created = new ClientEntry(options, new LookupClient(settings));
        Volatile.Write(ref _client, created);
        return created.Client;
    }

    private static async Task<DnsResolution> ResolveSrvAsync(ILookupClient client, string name, CancellationToken cancellationToken)
    {
        var response = await QueryAsync(client, name, QueryType.SRV, cancellationToken).ConfigureAwait(false);
        var records = response.Answers.SrvRecords().ToList();
        if (records.Count == 0)
        {
            throw new DnsResolutionException(DnsErrorReasons.NoRecords, $"SRV {name}: the answer from {response.NameServer} has no SRV records.");
        }

        // RFC 2782: use the lowest priority that has records; weights are left to Mesh's balancer.
        var priority = records.Min(static r => r.Priority);
        var ttl = TimeSpan.MaxValue;
        var endpoints = new List<IPEndPoint>();
        DnsResolutionException? lastTargetError = null;
        foreach (var record in records)
        {
            if (record.Priority != priority)
            {
                continue;
            }

            ttl = Min(ttl, record.TimeToLive);
            var target = record.Target.Value;
            var (addresses, addressTtl) = FromAdditionals(response, target);
            if (addresses.Count == 0)
            {
                try
                {
                    (addresses, addressTtl) = await LookupAddressesAsync(client, target, cancellationToken).ConfigureAwait(false);
                }
                catch (DnsResolutionException ex)
                {
                    // One target without an address does not spoil the others.
                    lastTargetError = ex;
                    continue;
                }
            }

            ttl = Min(ttl, addressTtl);
            foreach (var address in addresses)
            {
                Add(endpoints, new IPEndPoint(address, record.Port));
            }
        }

        if (endpoints.Count == 0)
        {
            throw new DnsResolutionException(DnsErrorReasons.NoAddress, $"SRV {name}: none of the {records.Count} targets has an address.", lastTargetError);
        }

        return new DnsResolution(endpoints, ttl);
    }

    private static async Task<DnsResolution> ResolveHostAsync(ILookupClient client, string host, int port, CancellationToken cancellationToken)
    {
        var (addresses, ttl) = await LookupAddressesAsync(client, host, cancellationToken).ConfigureAwait(false);
        var endpoints = new List<IPEndPoint>(addresses.Count);
        foreach (var address in addresses)
        {
            Add(endpoints, new IPEndPoint(address, port));
        }

        return new DnsResolution(endpoints, ttl);
    }

    private static async Task<(List<IPAddress> Addresses, TimeSpan Ttl)> LookupAddressesAsync(ILookupClient client, string host, CancellationToken cancellationToken)
    {
        // Both families; one that fails (some servers refuse AAAA for names they only hold A records of) does not
        // spoil the other. The lookup fails only when neither gives an address.
        var addresses = new List<IPAddress>();
        var ttl = TimeSpan.MaxValue;
        DnsResolutionException? error = null;
        foreach (var type in AddressTypes)
        {
            try
            {
                var response = await QueryAsync(client, host, type, cancellationToken).ConfigureAwait(false);
                foreach (var record in response.Answers.OfType<AddressRecord>())
                {
                    addresses.Add(record.Address);
                    ttl = Min(ttl, record.TimeToLive);
                }
            }
            catch (DnsResolutionException ex)
            {
                error ??= ex;
            }
        }

        if (addresses.Count == 0)
        {
            throw error ?? new DnsResolutionException(DnsErrorReasons.NoRecords, $"A/AAAA {host}: the answers have no addresses.");
        }

        return (addresses, ttl);
    }

    private static (List<IPAddress> Addresses, TimeSpan Ttl) FromAdditionals(IDnsQueryResponse response, string target)
    {
        var addresses = new List<IPAddress>();
        var ttl = TimeSpan.MaxValue;
        foreach (var record in response.Additionals)
        {
            // DnsString does not compare by value; names compare case-insensitively.
            if (!string.Equals(record.DomainName.Value, target, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (record is AddressRecord address)
            {
                addresses.Add(address.Address);
                ttl = Min(ttl, record.TimeToLive);
            }
        }

        return (addresses, ttl);
    }

    private static async Task<IDnsQueryResponse> QueryAsync(ILookupClient client, string name, QueryType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            throw new DnsResolutionException(DnsErrorReasons.Timeout, $"{type} {name}: no answer from {Servers(client)} ({ex.Message}).", ex);
        }
        catch (DnsResponseException ex)
        {
            var reason = ex.Code == DnsResponseCode.Unassigned ? DnsErrorReasons.Transport : DnsErrorReasons.ResponseCodePrefix + ex.Code.ToString().ToLowerInvariant();
            throw new DnsResolutionException(reason, $"{type} {name}: query to {Servers(client)} failed ({ex.Message}).", ex);
        }
        catch (SocketException ex)
        {
            throw new DnsResolutionException(DnsErrorReasons.Transport, $"{type} {name}: query to {Servers(client)} failed ({ex.Message}).", ex);
        }

        if (response.HasError)
        {
            var code = response.Header.ResponseCode;
            var reason = code == DnsHeaderResponseCode.NotExistentDomain
                ? DnsErrorReasons.NameError
                : DnsErrorReasons.ResponseCodePrefix + code.ToString().ToLowerInvariant();
            throw new DnsResolutionException(reason, $"{type} {name}: {response.ErrorMessage} from {response.NameServer}.");
        }

        return response;
    }

    private static string Servers(ILookupClient client) => string.Join(", ", client.NameServers.Select(static s => s.ToString()));

    private static TimeSpan Min(TimeSpan current, int seconds) => Min(current, TimeSpan.FromSeconds(Math.Max(seconds, 0)));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static void Add(List<IPEndPoint> endpoints, IPEndPoint endpoint)
    {
        if (!endpoints.Contains(endpoint))
        {
            endpoints.Add(endpoint);
        }
    }

    private sealed record ClientEntry(MeshDnsOptions Options, ILookupClient Client);
}
