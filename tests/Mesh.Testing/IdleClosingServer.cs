using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Testing;

/// <summary>
/// A minimal HTTP/1.1 server that closes a keep-alive connection exactly when it has been idle for its timeout, on a
/// timer, and says nothing of that timeout in its responses: what Go's net/http does with <c>IdleTimeout</c>. (Kestrel
/// checks its keep-alive timeout on a once-a-second heartbeat, so its close comes anywhere in the following second.)
/// Reads Content-Length bodies, counts each POST by its <c>x-request-id</c>, answers 200 "ok". Loopback only.
/// </summary>
public sealed class IdleClosingServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TimeSpan _idle;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public IdleClosingServer(TimeSpan idle)
    {
        _idle = idle;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Gets how many times each POST (by its x-request-id) was processed.</summary>
    public ConcurrentDictionary<string, int> Posts { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        var pending = new List<byte>();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                // The idle timer runs from the last response until the next request's first byte.
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                idle.CancelAfter(_idle);
                int end;
                while ((end = HeaderEnd(pending)) < 0)
                {
                    var read = await stream.ReadAsync(buffer, pending.Count == 0 ? idle.Token : _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    pending.AddRange(buffer.AsSpan(0, read));
                }

                var head = Encoding.ASCII.GetString(pending.GetRange(0, end).ToArray());
                pending.RemoveRange(0, end + 4);
                var length = HeaderValue(head, "content-length") is { } cl ? int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) : 0;
                while (pending.Count < length)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    pending.AddRange(buffer.AsSpan(0, read));
                }

                pending.RemoveRange(0, length);
                if (head.StartsWith("POST ", StringComparison.Ordinal))
                {
                    Posts.AddOrUpdate(HeaderValue(head, "x-request-id") ?? "", 1, static (_, n) => n + 1);
                }

                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Idle for the timeout (or stopping): close, as the server's timer does.
        }
        catch (IOException)
        {
        }
    }

    private static int HeaderEnd(List<byte> data)
    {
        for (var i = 3; i < data.Count; i++)
        {
            if (data[i - 3] == '\r' && data[i - 2] == '\n' && data[i - 1] == '\r' && data[i] == '\n')
            {
                return i - 3;
            }
        }

        return -1;
    }

    private static string? HeaderValue(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
