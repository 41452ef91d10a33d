using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.Detection;

/// <summary>
/// Peeks at a connection's first bytes without taking them: each read is handed back unconsumed (examined up to its
/// end, so the next read waits for more), and once the protocol is told, all of it is left for whoever handles the
/// connection next (the HTTP parser, the TLS handshake, or the TCP relay) to read again. RECIPES §7.
/// </summary>
internal static class ProtocolPeek
{
    private static ReadOnlySpan<byte> Connect => "CONNECT "u8;

    /// <summary>Tells the connection's protocol (<see cref="ProtocolDetector"/>) within <paramref name="timeout"/>.</summary>
    public static async Task<Detection> DetectAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
    {
        var (kind, protocol) = await PeekAsync(input, timeout, time, static (buffer, completed) => ProtocolDetector.Detect(buffer, completed) is { } protocol
            ? (protocol, protocol == DetectedProtocol.Http1 && StartsWith(buffer, Connect))
            : ((DetectedProtocol, bool)?)null).ConfigureAwait(false);
        return kind == DetectionKind.Detected ? new Detection(kind, protocol.Item1, protocol.Item2) : new Detection(kind);
    }

    /// <summary>
    /// Reads the ClientHello that starts a connection detected as TLS and gets whether it offers one of Mesh's ALPN
    /// protocols (<see cref="ClientHello"/>): a peer sidecar's mutual TLS. Silence or a client gone offers nothing.
    /// </summary>
    public static async Task<bool> OffersMeshProtocolAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
    {
        var (_, offers) = await PeekAsync(input, timeout, time, static (buffer, completed) => ClientHello.OffersMeshProtocol(buffer, completed || buffer.Length >= ClientHello.MaxRecord)).ConfigureAwait(false);
        return offers;
    }

    // Reads until decide tells something from the bytes so far (null: it needs more), the timeout passes or the client
    // goes; the bytes are left unconsumed.
    private static async Task<(DetectionKind Kind, T Value)> PeekAsync<T>(PipeReader input, TimeSpan timeout, TimeProvider time, Func<ReadOnlySequence<byte>, bool, T?> decide)
        where T : struct
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return (DetectionKind.TimedOut, default);
            }
            catch (Exception ex) when (ex is IOException or ConnectionAbortedException or ObjectDisposedException)
            {
                return (DetectionKind.Closed, default);
            }

            var buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                return (DetectionKind.Closed, default);
            }

            if (decide(buffer, result.IsCompleted) is { } value)
            {
                input.AdvanceTo(buffer.Start);
                return (DetectionKind.Detected, value);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool StartsWith(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> prefix)
    {
        if (buffer.Length < prefix.Length)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[prefix.Length];
        buffer.Slice(0, prefix.Length).CopyTo(head);
        return head.SequenceEqual(prefix);
    }
}
