using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.Detection;

/// <summary>
/// Peeks at a connection's first bytes without taking them: each read is handed back unconsumed (examined up to its
/// end, so the next read waits for more), and once the protocol is told, all of it is left for whoever handles the
/// connection next (the HTTP parser, or the TCP relay) to read again. RECIPES §7.
/// </summary>
internal static class ProtocolPeek
{
    private static ReadOnlySpan<byte> Connect => "CONNECT "u8;

    public static async Task<Detection> DetectAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
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
                return new Detection(DetectionKind.TimedOut);
            }
            catch (Exception ex) when (ex is IOException or ConnectionAbortedException or ObjectDisposedException)
            {
                return new Detection(DetectionKind.Closed);
            }

            var buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                return new Detection(DetectionKind.Closed);
            }

            if (ProtocolDetector.Detect(buffer, result.IsCompleted) is { } protocol)
            {
                var isConnect = protocol == DetectedProtocol.Http1 && StartsWith(buffer, Connect);
                input.AdvanceTo(buffer.Start);
                return new Detection(DetectionKind.Detected, protocol, isConnect);
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
