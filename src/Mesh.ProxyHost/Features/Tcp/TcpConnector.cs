using System.Net;
using System.Net.Sockets;
using Mesh.Classification;
using Mesh.Endpoints;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.ProxyHost.Configuration;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// Opens the upstream side of an opaque TCP connection. To one address, once. To a configured service: an endpoint
/// picked by power of two choices on the connections open to each (an ejected endpoint whose penalty is over gets the
/// connection as its probe), and when the connect fails (nothing was sent yet, so trying again is always safe) the
/// failure is charged to that endpoint's failure accrual and another endpoint is tried, up to
/// <see cref="MaxAttempts"/> in all.
/// </summary>
internal sealed class TcpConnector(ProxyOptions options, TimeProvider time)
{
    /// <summary>The most endpoints one connection tries.</summary>
    public const int MaxAttempts = 3;

    private static readonly ResponseClassification ConnectFailed = new(IsFailure: true, IsRetryable: true, FailureReasons.ConnectError);

    /// <summary>
    /// Connects to <paramref name="destination"/>; the endpoint returned (null for a single address) counts the
    /// connection as open until the caller ends it with <see cref="MeshEndpoint.OnAttemptEnded"/>.
    /// </summary>
    /// <exception cref="NoEndpointsException">The service has no endpoints.</exception>
    /// <exception cref="SocketException">No connection could be made.</exception>
    public async Task<(Socket Socket, MeshEndpoint? Endpoint)> ConnectAsync(TcpDestination destination, CancellationToken cancellationToken)
    {
        if (destination.Service is not { } service)
        {
            return (await ConnectAsync(destination.Address!, cancellationToken).ConfigureAwait(false), null);
        }

        await service.EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
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
                var socket = await ConnectAsync(EndPointOf(endpoint.Address), cancellationToken).ConfigureAwait(false);
                service.FailureAccrual.Record(endpoint, ResponseClassification.Success, isProbe);
                return (socket, endpoint);
            }
            catch (SocketException ex)
            {
                endpoint.OnAttemptEnded();
                service.FailureAccrual.Record(endpoint, ConnectFailed, isProbe);
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

    // A connect that takes longer than Mesh:Proxy:ConnectTimeout fails like a refused one.
    private async Task<Socket> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = endpoint is IPEndPoint ip ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            return socket;
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
