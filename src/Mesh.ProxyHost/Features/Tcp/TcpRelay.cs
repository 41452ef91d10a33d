using System.Buffers;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// Moves bytes both ways between an accepted connection and its upstream end (<see cref="TcpEnd"/>: a socket, or mutual
/// TLS to a peer sidecar), in order and without loss, as
/// linkerd2-proxy's duplex copy does: each direction ends on its own, with the FIN passed on (a shutdown of the send
/// side towards the other peer), and the connection is done when both have.
/// <list type="bullet">
/// <item>Client to destination: the client's bytes come from Kestrel's input pipe (where detection left them unread)
/// and are taken only as the upstream socket accepts them; the pipe stops reading the socket at its limit
/// (<see cref="InputLimit"/>), so a destination that does not read holds its client back.</item>
/// <item>Destination to client: written straight to the accepted socket, one chunk (<see cref="ReadSize"/>) at a time,
/// the next read waiting until the client's socket took the last; the chunk is rented only once bytes are there, so an
/// idle connection holds no buffer. Not through Kestrel's output pipe: when that pipe completes, Kestrel's socket
/// transport shuts the socket down both ways and closes it, which would cut off a client still sending after the
/// destination's FIN. The destination's FIN becomes a shutdown of the accepted socket's send side only; the client's
/// bytes keep flowing, and Kestrel closes the socket when the connection middleware returns, both directions done. A
/// peer sidecar's connection that Kestrel's TLS terminated is written through that TLS, its FIN a close_notify.</item>
/// </list>
/// A reset or error on either side resets both; an idle connection (<see cref="TcpIdleTimer"/>) is closed on both sides
/// with a FIN. <see cref="HeldBytes"/> counts what all relays hold at a time: read from one side, not yet taken by the
/// other.
/// </summary>
internal sealed class TcpRelay
{
    /// <summary>The most bytes read from the destination at a time, and held until the client's socket takes them.</summary>
    public const int ReadSize = 16 * 1024;

    /// <summary>Where Kestrel's input pipe of an accepted connection stops reading its socket (<c>SocketTransportOptions.MaxReadBufferSize</c>).</summary>
    public const int InputLimit = 1024 * 1024;

    // Who sent first (_firstSpeaker), and how the relay ended (_ended).
    private const int ClientFirst = 1;
    private const int ServerFirst = 2;
    private const int Running = 0;
    private const int Finished = 1;
    private const int BrokenEnded = 2;
    private const int IdleEnded = 3;

    private static long s_heldBytes;

    private readonly ConnectionContext _client;
    private readonly TcpEnd _accepted;
    private readonly TcpEnd _upstream;
    private readonly TcpConnectionRecord _record;
    private readonly Action? _serverSpokeFirst;
    private TcpIdleTimer? _idleTimer;
    private int _firstSpeaker;
    private int _ended;

    private TcpRelay(ConnectionContext client, TcpEnd accepted, TcpEnd upstream, TcpConnectionRecord record, Action? serverSpokeFirst)
    {
        _client = client;
        _accepted = accepted;
        _upstream = upstream;
        _record = record;
        _serverSpokeFirst = serverSpokeFirst;
    }

    /// <summary>
    /// Gets the bytes all relays hold now: what they read from one side and the other has not yet taken (the client's
    /// bytes as Kestrel's input pipe handed them over, a chunk from the destination).
    /// </summary>
    public static long HeldBytes => Interlocked.Read(ref s_heldBytes);

    /// <summary>
    /// Relays until both directions are done and closes <paramref name="upstream"/>; returns the outcome
    /// (<see cref="TcpOutcome.Closed"/>, <see cref="TcpOutcome.Reset"/> or <see cref="TcpOutcome.IdleTimeout"/>).
    /// <paramref name="idleTimeout"/> zero: never idle. <paramref name="serverSpokeFirst"/> runs once if the upstream
    /// sends before the client has sent anything.
    /// </summary>
    public static async Task<string> RunAsync(
        ConnectionContext client, TcpEnd accepted, TcpEnd upstream, TcpConnectionRecord record, TimeSpan idleTimeout, TimeProvider time, Action? serverSpokeFirst = null)
    {
        var relay = new TcpRelay(client, accepted, upstream, record, serverSpokeFirst);
        relay._idleTimer = idleTimeout > TimeSpan.Zero ? new TcpIdleTimer(idleTimeout, time, relay.OnIdle) : null;
        try
        {
            await Task.WhenAll(relay.ClientToUpstreamAsync(), relay.UpstreamToClientAsync()).ConfigureAwait(false);
        }
        finally
        {
            relay._idleTimer?.Dispose();
        }

        upstream.Dispose();

        // Both directions done: from here the idle timer, if it still fires, finds the connection ended.
        return Interlocked.CompareExchange(ref relay._ended, Finished, Running) switch
        {
            Running => TcpOutcome.Closed,
            IdleEnded => TcpOutcome.IdleTimeout,
            _ => TcpOutcome.Reset,
        };
    }

    private async Task ClientToUpstreamAsync()
    {
        var input = _client.Transport.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    Spoke(ClientFirst);
                    _idleTimer?.Touch();
                    var held = buffer.Length;
                    Interlocked.Add(ref s_heldBytes, held);
                    try
                    {
                        foreach (var segment in buffer)
                        {
                            await _upstream.SendAsync(segment).ConfigureAwait(false);
                            _record.AddTransmitted(segment.Length);
                        }
                    }
                    finally
                    {
                        Interlocked.Add(ref s_heldBytes, -held);
                    }
                }

                input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    // The client's FIN: pass it on; the destination's answer keeps flowing back.
                    await _upstream.ShutdownSendAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception ex) when (IsBroken(ex))
        {
            Break();
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task UpstreamToClientAsync()
    {
        try
        {
            var read = 0;
            while (true)
            {
                // Wait for bytes before renting a chunk, unless the last read filled one (more are likely waiting).
                if (read < ReadSize)
                {
                    await _upstream.ReceiveAsync(Memory<byte>.Empty).ConfigureAwait(false);
                }

                var chunk = ArrayPool<byte>.Shared.Rent(ReadSize);
                try
                {
                    read = await _upstream.ReceiveAsync(chunk.AsMemory(0, ReadSize)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        // The destination's FIN: pass it on; what the client still sends keeps flowing to it.
                        await _accepted.ShutdownSendAsync().ConfigureAwait(false);
                        return;
                    }

                    Spoke(ServerFirst);
                    _idleTimer?.Touch();
                    _record.AddReceived(read);
                    Interlocked.Add(ref s_heldBytes, read);
                    try
                    {
                        await _accepted.SendAsync(chunk.AsMemory(0, read)).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Add(ref s_heldBytes, -read);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }
        catch (Exception ex) when (IsBroken(ex))
        {
            Break();
        }
    }

    private static bool IsBroken(Exception ex) =>
        ex is SocketException or IOException or ConnectionAbortedException or ObjectDisposedException or InvalidOperationException or NotSupportedException or AuthenticationException;

    // Nothing moved either way for the idle timeout: both sides are closed (a FIN, not a reset: nothing was cut off).
    private void OnIdle() => End(IdleEnded);

    // Whichever direction breaks takes the other down with it: a reset must not leave half a connection open.
    private void Break() => End(BrokenEnded);

    private void End(int how)
    {
        if (Interlocked.CompareExchange(ref _ended, how, Running) != Running)
        {
            return;
        }

        if (how == BrokenEnded)
        {
            // Each side sees a reset, as the other did, rather than a clean end of what it was sent: linger 0 on the
            // upstream socket, and Kestrel's abort closes the accepted one so (SocketTransportOptions.FinOnError off).
            _upstream.ResetOnClose();
            _upstream.Dispose();
            _client.Abort(new ConnectionAbortedException("The other side of the relayed connection broke."));
            return;
        }

        // A FIN each way, nothing being cut off. Shut down before closing: .NET closes a socket whose pending receive it
        // cancels with a reset unless its send side was shut down. The accepted socket is not aborted (that would reset
        // it): shut down, it ends Kestrel's receive loop, and Kestrel closes it when the relay returns.
        _upstream.ShutDown();
        _upstream.Dispose();
        _accepted.ShutDown();
    }

    // Only the server's speaking first, the client silent, marks a server-first destination. Decided once: later
    // chunks only read the field.
    private void Spoke(int who)
    {
        if (Volatile.Read(ref _firstSpeaker) == 0 && Interlocked.CompareExchange(ref _firstSpeaker, who, 0) == 0 && who == ServerFirst)
        {
            _serverSpokeFirst?.Invoke();
        }
    }
}
