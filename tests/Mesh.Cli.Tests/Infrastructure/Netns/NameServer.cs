using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Cli.Tests.Infrastructure.Netns;

/// <summary>
/// A listener that answers every HTTP request with its name and the connection's original destination (read with
/// SO_ORIGINAL_DST, as the sidecar does; its own address when nothing redirected it): <c>outbound 10.231.7.2:8080</c>.
/// So a curl's body says which listener the rules delivered it to, and where it was meant to go.
/// </summary>
public sealed class NameServer : IAsyncDisposable
{
    private const int SolIp = 0;
    private const int SoOriginalDst = 80;

    private readonly Socket _listener;
    private readonly Task _accepting;
    private readonly CancellationTokenSource _stop = new();

    private NameServer(string name, Socket listener)
    {
        _listener = listener;
        _accepting = AcceptAsync(name);
    }

    /// <summary>Listens on <paramref name="endpoint"/> in namespace <paramref name="ns"/>.</summary>
    public static NameServer Start(string name, string ns, IPEndPoint endpoint) => new(name, NamespaceSockets.Listen(ns, endpoint));

    private async Task AcceptAsync(string name)
    {
        try
        {
            while (true)
            {
                var connection = await _listener.AcceptAsync(_stop.Token);
                _ = AnswerAsync(name, connection);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task AnswerAsync(string name, Socket connection)
    {
        using (connection)
        {
            try
            {
                var request = new byte[4096];
                var read = 0;
                while (read < request.Length && !Encoding.ASCII.GetString(request, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await connection.ReceiveAsync(request.AsMemory(read), _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    read += n;
                }

                var body = $"{name} {OriginalDestination(connection)}";
                var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                await connection.SendAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                connection.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // The client went, or the test is over.
            }
        }
    }

    private static string OriginalDestination(Socket connection)
    {
        var raw = new byte[16];
        try
        {
            connection.GetRawSocketOption(SolIp, SoOriginalDst, raw);
        }
        catch (SocketException)
        {
            return connection.LocalEndPoint?.ToString() ?? "-";
        }

        return $"{new IPAddress(raw.AsSpan(4, 4))}:{(raw[2] << 8) | raw[3]}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
