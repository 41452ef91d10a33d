using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.Classification;
using Mesh.Pipeline;
using Mesh.ProxyHost.Configuration;
using Mesh.Tap;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// Forwards an accepted connection as opaque TCP: opens the upstream side (<see cref="TcpConnector"/>), relays the
/// bytes (<see cref="TcpRelay"/>) and records the connection from open to close (<see cref="TcpConnectionRecord"/>).
/// When no upstream connection can be made, the client's connection is reset, so it fails at once rather than reading
/// an empty answer as a clean one.
/// </summary>
internal sealed partial class TcpForwarder(TcpConnector connector, TcpMetrics metrics, MeshTap tap, ProxyOptions options, ILogger<TcpForwarder> logger)
{
    public async Task ForwardAsync(ConnectionContext client, TcpDestination destination, string detection, Action? serverSpokeFirst = null)
    {
        // The relay writes to the accepted end itself (TcpRelay: half-close): Kestrel's socket, or the TLS on it.
        var accepted = TcpEnd.Accepted(client);
        var record = new TcpConnectionRecord(metrics, tap, destination.Direction, destination.MetricName, destination.Display, detection);
        TcpEnd upstream;
        Endpoints.MeshEndpoint? endpoint;

        // Not cancelled by the client's ConnectionClosed, which fires at its FIN: a half-closed client still gets its
        // answer. Mesh:Proxy:ConnectTimeout bounds the wait.
        try
        {
            (upstream, endpoint) = await connector.ConnectAsync(destination, CancellationToken.None).ConfigureAwait(false);
        }
        catch (NoEndpointsException)
        {
            Log.NoEndpoints(logger, destination.Display);
            Reset(client);
            record.Close(TcpOutcome.NoEndpoints);
            return;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ConnectRefusedException or AuthenticationException or IOException)
        {
            Log.ConnectFailed(logger, destination.Display, ex.Message);
            Reset(client);
            record.Close(ex is ConnectRefusedException { Reason: FailureReasons.IdentityMismatch } ? TcpOutcome.IdentityMismatch : TcpOutcome.ConnectError);
            return;
        }

        record.Endpoint = endpoint?.Name ?? upstream.RemoteEndPoint?.ToString();
        string outcome;
        try
        {
            outcome = await TcpRelay.RunAsync(client, accepted, upstream, record, options.Tcp.IdleTimeout, metrics.Time, serverSpokeFirst).ConfigureAwait(false);
        }
        finally
        {
            endpoint?.OnAttemptEnded();
        }

        record.Close(outcome);
    }

    /// <summary>Closes <paramref name="client"/> with a reset (linger 0), the way a refused connect looks to it.</summary>
    public static void Reset(ConnectionContext client)
    {
        try
        {
            if (client.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        client.Abort(new ConnectionAbortedException("Mesh: the connection could not be forwarded."));
    }

    private static partial class Log
    {
        [LoggerMessage(150, LogLevel.Information, "TCP to {Destination}: could not connect ({Reason}); the client's connection was reset.")]
        public static partial void ConnectFailed(ILogger logger, string destination, string reason);

        [LoggerMessage(151, LogLevel.Warning, "TCP to {Destination}: the service has no endpoints; the client's connection was reset.")]
        public static partial void NoEndpoints(ILogger logger, string destination);
    }
}
