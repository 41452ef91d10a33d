using System.Buffers.Binary;
using System.Text;

namespace Mesh.Testing;

/// <summary>One HTTP/2 frame as read off the wire (RFC 9113 §4.1).</summary>
public sealed record Http2Frame(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public bool HasFlag(byte flag) => (Flags & flag) == flag;

    /// <summary>Gets the error code of a RST_STREAM or GOAWAY frame.</summary>
    public uint ErrorCode => Type switch
    {
        Http2Wire.RstStream => BinaryPrimitives.ReadUInt32BigEndian(Payload),
        Http2Wire.GoAway => BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => throw new InvalidOperationException($"frame type {Type} carries no error code"),
    };
}

/// <summary>
/// Just enough HTTP/2 (RFC 9113) and HPACK (RFC 7541) to write and read frames by hand, for tests that must send or
/// answer what no well-behaved client or server would (refused streams, rapid resets).
/// </summary>
public static class Http2Wire
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte WindowUpdate = 0x8;
    public const byte Continuation = 0x9;

    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;

    public const uint NoError = 0x0;
    public const uint RefusedStream = 0x7;
    public const uint Cancel = 0x8;
    public const uint EnhanceYourCalm = 0xb;

    /// <summary>HPACK static table indexes (RFC 7541 Appendix A) of the request pseudo-header names.</summary>
    public const int AuthorityName = 1;
    public const int MethodName = 2;
    public const int PathName = 4;
    public const int SchemeName = 6;

    /// <summary>HPACK "indexed header field" for <c>:status: 200</c> (static index 8).</summary>
    public const byte Status200 = 0x88;

    private const int FrameHeaderLength = 9;

    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>Makes the bytes of one frame.</summary>
    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[FrameHeaderLength + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId & int.MaxValue);
        payload.CopyTo(frame.AsSpan(FrameHeaderLength));
        return frame;
    }

    public static byte[] RstStreamFrame(int streamId, uint errorCode)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, errorCode);
        return Frame(RstStream, 0, streamId, payload);
    }

    public static byte[] WindowUpdateFrame(int streamId, int increment)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return Frame(WindowUpdate, 0, streamId, payload);
    }

    /// <summary>
    /// A header block of "literal header field without indexing — indexed name" entries (RFC 7541 §6.2.2): no Huffman
    /// coding and no dynamic table, so every block stands alone. Each name is a static-table index below 15 and each
    /// value shorter than 127 bytes, which is all a test request needs.
    /// </summary>
    public static byte[] LiteralHeaderBlock(params (int NameIndex, string Value)[] fields)
    {
        var block = new List<byte>();
        foreach (var (index, value) in fields)
        {
            if (index is < 1 or > 14 || value.Length > 126)
            {
                throw new ArgumentOutOfRangeException(nameof(fields), "name index must be 1..14 and values under 127 bytes");
            }

            block.Add((byte)index); // 0000 + 4-bit name index: literal without indexing
            block.Add((byte)value.Length); // H = 0, 7-bit length
            block.AddRange(Encoding.ASCII.GetBytes(value));
        }

        return [.. block];
    }

    /// <summary>Reads one frame, or returns null when the peer closed the connection (at a frame boundary or not).</summary>
    public static async Task<Http2Frame?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var header = new byte[FrameHeaderLength];
        if (await stream.ReadAtLeastAsync(header, FrameHeaderLength, throwOnEndOfStream: false, cancellationToken) < FrameHeaderLength)
        {
            return null;
        }

        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var payload = new byte[length];
        if (await stream.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, cancellationToken) < length)
        {
            return null;
        }

        return new Http2Frame(header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue, payload);
    }
}
