using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// Moves bytes both ways between an accepted connection (Kestrel's transport pipes) and the upstream socket, in order
/// and without loss. Memory is bounded on both sides: the client's bytes wait in Kestrel's input pipe (paused at
/// <c>MaxRequestBufferSize</c>, 1 MiB) until the upstream socket takes them, and the upstream's are read straight into
/// the output pipe, whose flush waits while the client is slow (<c>MaxResponseBufferSize</c>, 64 KiB), so a slow reader
/// slows its writer instead of growing a buffer. Half-close: the client's FIN is passed on (shutdown of the upstream
/// socket's send side) and the answer keeps flowing; the destination's FIN ends the connection once its bytes are out,
/// because Kestrel closes both directions when its output completes. A reset or error on either side aborts both.
/// </summary>
internal static class TcpRelay
{
    // One read from the upstream socket at most: what the output pipe lends at a time.
    private const int ReadSize = 16 * 1024;

    /// <summary>
    /// Relays until both directions are done; returns the outcome (<see cref="TcpOutcome.Closed"/> or
    /// <see cref="TcpOutcome.Reset"/>). <paramref name="serverSpokeFirst"/> runs once if the upstream sends before the
    /// client has sent anything.
    /// </summary>
    public static async Task<string> RunAsync(ConnectionContext client, Socket upstream, TcpConnectionRecord record, Action? serverSpokeFirst = null)
    {
        var first = new FirstSpeaker(serverSpokeFirst);
        var toUpstream = ClientToUpstreamAsync(client.Transport.Input, upstream, record, first);
        var toClient = UpstreamToClientAsync(upstream, client.Transport.Output, record, first);

        // Whichever direction breaks first takes the other down with it: a reset must not leave half a connection open.
        var done = await Task.WhenAny(toUpstream, toClient).ConfigureAwait(false);
        if (!await done.ConfigureAwait(false))
        {
            Abort(client, upstream);
        }
        else if (done == toClient)
        {
            // The destination finished and its bytes are handed over: the client's connection closes with the output.
            // What the client still sends has nowhere to go; stop reading it.
            client.Transport.Input.CancelPendingRead();
        }

        var clean = await toUpstream.ConfigureAwait(false) & await toClient.ConfigureAwait(false);
        upstream.Dispose();
        return clean ? TcpOutcome.Closed : TcpOutcome.Reset;
    }

    private static async Task<bool> ClientToUpstreamAsync(PipeReader input, Socket upstream, TcpConnectionRecord record, FirstSpeaker first)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start);
                    return true;
                }

                if (!buffer.IsEmpty)
                {
                    first.Client();
                    foreach (var segment in buffer)
                    {
                        await upstream.SendAsync(segment, SocketFlags.None).ConfigureAwait(false);
                        record.AddTransmitted(segment.Length);
                    }
                }

                input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    // The client's FIN: pass it on, and keep the way back open for the answer.
                    upstream.Shutdown(SocketShutdown.Send);
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ConnectionAbortedException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task<bool> UpstreamToClientAsync(Socket upstream, PipeWriter output, TcpConnectionRecord record, FirstSpeaker first)
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = output.GetMemory(ReadSize);
                var read = await upstream.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                first.Server();
                output.Advance(read);
                record.AddReceived(read);
                var flush = await output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    // The client is gone: nothing more can reach it.
                    return false;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ConnectionAbortedException or ObjectDisposedException or InvalidOperationException)
        {
            error = ex;
            return false;
        }
        finally
        {
            await output.CompleteAsync(error is null ? null : new ConnectionAbortedException("The destination's connection broke.", error)).ConfigureAwait(false);
        }
    }

    private static void Abort(ConnectionContext client, Socket upstream)
    {
        // Linger 0: the destination sees a reset, as the client did, rather than a clean end of what it was sent.
        try
        {
            upstream.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        upstream.Dispose();
        client.Abort(new ConnectionAbortedException("The other side of the relayed connection broke."));
    }

    // Who sent the first byte: only the server's speaking first with a silent client marks a server-first destination.
    private sealed class FirstSpeaker(Action? serverSpokeFirst)
    {
        private int _first;

        public void Client() => Interlocked.CompareExchange(ref _first, 1, 0);

        public void Server()
        {
            if (Interlocked.CompareExchange(ref _first, 2, 0) == 0)
            {
                serverSpokeFirst?.Invoke();
            }
        }
    }
}
