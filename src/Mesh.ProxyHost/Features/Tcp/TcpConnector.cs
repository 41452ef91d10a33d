using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.Classification;
using Mesh.Endpoints;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.Identity;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.MeshTls;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// Opens the upstream side of an opaque TCP connection. To one address, once. To a configured service: an endpoint
/// picked by power of two choices on the connections open to each (an ejected endpoint whose penalty is over gets the
/// connection as its probe), and when the connect fails (nothing was sent yet, so trying again is always safe) the
/// failure is charged to that endpoint's failure accrual and another endpoint is tried, up to
/// <see cref="MaxAttempts"/> in all. To a meshed service (one whose endpoints must prove an identity), the connection is
/// mutual TLS to the peer sidecar, naming the endpoint's port (<see cref="MeshTcpTls"/>); an endpoint that does not prove
/// the identity is refused like one that does not accept, and charged as <see cref="FailureReasons.IdentityMismatch"/>.
/// </summary>
internal sealed class TcpConnector(ProxyOptions options, TimeProvider time, MeshTcpTls? meshed = null)
{
    /// <summary>The most endpoints one connection tries.</summary>
    public const int MaxAttempts = 3;

    private static readonly ResponseClassification ConnectFailed = new(IsFailure: true, IsRetryable: true, FailureReasons.ConnectError);
    private static readonly ResponseClassification IdentityMismatch = new(IsFailure: true, IsRetryable: true, FailureReasons.IdentityMismatch);

    /// <summary>
    /// Connects to <paramref name="destination"/>; the endpoint returned (null for a single address) counts the
    /// connection as open until the caller ends it with <see cref="MeshEndpoint.OnAttemptEnded"/>.
    /// </summary>
    /// <exception cref="NoEndpointsException">The service has no endpoints.</exception>
    /// <exception cref="SocketException">No connection could be made.</exception>
    /// <exception cref="ConnectRefusedException">The meshed service's endpoints did not prove its identity, or spoke no mutual TLS.</exception>
    public async Task<(TcpEnd Upstream, MeshEndpoint? Endpoint)> ConnectAsync(TcpDestination destination, CancellationToken cancellationToken)
    {
        if (destination.Service is not { } service)
        {
            return (await OpenAsync(destination.Address!, null, cancellationToken).ConfigureAwait(false), null);
        }

        await service.EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        var expected = meshed?.ExpectedFor(service);
        MeshEndpoint? avoid = null;
        Exception? last = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var endpoint = Pick(service, avoid, out var isProbe);
            if (endpoint is null)
            {
                break;
            }

            endpoint.OnAttemptStarted();
            try
            {
                var upstream = await OpenAsync(EndPointOf(endpoint.Address), expected, cancellationToken).ConfigureAwait(false);
                service.FailureAccrual.Record(endpoint, ResponseClassification.Success, isProbe, service.Time.GetTimestamp());
                return (upstream, endpoint);
            }
            catch (Exception ex) when (ex is SocketException or ConnectRefusedException or AuthenticationException or IOException)
            {
                endpoint.OnAttemptEnded();
                service.FailureAccrual.Record(endpoint, ex is ConnectRefusedException { Reason: FailureReasons.IdentityMismatch } ? IdentityMismatch : ConnectFailed, isProbe, service.Time.GetTimestamp());
                last = ex;
                avoid = endpoint;
                if (service.Endpoints.Current.Count < 2)
                {
                    break;
                }
            }
        }

        throw last ?? new NoEndpointsException(service.Name);
    }

    private static MeshEndpoint? Pick(MeshService service, MeshEndpoint? avoid, out bool isProbe)
    {
        var set = service.Endpoints.Current;
        isProbe = false;
        if (service.FailureAccrual.TryClaimProbe(set, service.Time.GetTimestamp()) is { } probe)
        {
            isProbe = true;
            return probe;
        }

        var candidates = set.AvailableSpan.IsEmpty ? set.AllSpan : set.AvailableSpan;
        return candidates.IsEmpty ? null : PowerOfTwoChoices.Pick(candidates, avoid, Random.Shared, default(OpenConnections));
    }

    private static EndPoint EndPointOf(Uri address) =>
        IPAddress.TryParse(address.Host, out var ip) ? new IPEndPoint(ip, address.Port) : new DnsEndPoint(address.Host, address.Port);

    // A connect (and to a meshed service, its handshake) that takes longer than Mesh:Proxy:ConnectTimeout fails like a
    // refused one.
    private async Task<TcpEnd> OpenAsync(EndPoint endpoint, SpiffeIdPattern? expected, CancellationToken cancellationToken)
    {
        var socket = endpoint is IPEndPoint ip ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            return expected is null ? TcpEnd.Upstream(socket) : await meshed!.SecureAsync(socket, endpoint, expected, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The connections open to an endpoint (requests in flight count too: both are load on it).
    private readonly struct OpenConnections : IEndpointCost
    {
        public double Of(MeshEndpoint endpoint) => endpoint.InFlight;
    }
}
