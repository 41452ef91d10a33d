using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// What a sidecar sends first on an opaque TCP connection to a peer (ALPN <see cref="MeshAlpn.Tcp"/>), inside the mutual
/// TLS: the application port the bytes are for, as Linkerd's transport header does. Four bytes: <c>M</c>, the version
/// (1), the port (big-endian). The far side reads exactly these four bytes, within a deadline, and forwards to
/// <c>127.0.0.1:port</c> only, as inbound interception does; anything else closes the connection.
/// </summary>
internal static class TransportHeader
{
    /// <summary>The header's length.</summary>
    public const int Length = 4;

    private const byte Magic = (byte)'M';
    private const byte Version = 1;

    /// <summary>The header naming <paramref name="port"/>.</summary>
    public static byte[] For(int port)
    {
        var header = new byte[Length];
        header[0] = Magic;
        header[1] = Version;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)port);
        return header;
    }

    /// <summary>Reads the header at the start of <paramref name="input"/> (consumed); null when it is not one, or does not come within <paramref name="timeout"/>.</summary>
    public static async Task<int?> ReadAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (buffer.Length >= Length)
                {
                    var port = Parse(buffer.Slice(0, Length));
                    input.AdvanceTo(buffer.GetPosition(Length));
                    return port;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return null;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Gets the port a header names; null when <paramref name="header"/> is not a version 1 header or names port 0.</summary>
    public static int? Parse(ReadOnlySequence<byte> header)
    {
        Span<byte> bytes = stackalloc byte[Length];
        header.CopyTo(bytes);
        var port = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        return bytes[0] == Magic && bytes[1] == Version && port != 0 ? port : null;
    }
}
