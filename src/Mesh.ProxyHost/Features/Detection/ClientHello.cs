using System.Buffers;
using Mesh.ProxyHost.Features.MeshTls;

namespace Mesh.ProxyHost.Features.Detection;

/// <summary>
/// Reads the ALPN protocols a TLS ClientHello offers (RFC 8446 §4.1.2, RFC 7301), as Envoy's tls_inspector does, to tell
/// a peer sidecar's mutual TLS (<see cref="MeshAlpn"/>) from other TLS before either is decrypted. Only the first record
/// is read (at most <see cref="MaxRecord"/> bytes, the largest a TLS record may be); a ClientHello split over records,
/// which no TLS library sends, is read as far as that record goes. Bytes that are no ClientHello offer nothing.
/// </summary>
internal static class ClientHello
{
    /// <summary>The most bytes read: a record header and the largest fragment a record may carry (2^14).</summary>
    public const int MaxRecord = RecordHeader + MaxFragment;

    private const int RecordHeader = 5;
    private const int MaxFragment = 16 * 1024;
    private const byte Handshake = 0x16;
    private const byte ClientHelloType = 1;
    private const ushort AlpnExtension = 16;

    /// <summary>
    /// Gets whether the ClientHello at the start of <paramref name="buffer"/> offers one of Mesh's ALPN protocols; null
    /// while its first record is incomplete (and more bytes could come: <paramref name="completed"/> false).
    /// </summary>
    public static bool? OffersMeshProtocol(ReadOnlySequence<byte> buffer, bool completed)
    {
        if (buffer.Length < RecordHeader)
        {
            return completed ? false : null;
        }

        Span<byte> header = stackalloc byte[RecordHeader];
        buffer.Slice(0, RecordHeader).CopyTo(header);
        var fragment = (header[3] << 8) | header[4];
        if (header[0] != Handshake || fragment > MaxFragment)
        {
            return false;
        }

        if (buffer.Length < RecordHeader + fragment)
        {
            return completed ? false : null;
        }

        var record = ArrayPool<byte>.Shared.Rent(fragment);
        try
        {
            buffer.Slice(RecordHeader, fragment).CopyTo(record);
            return OffersMeshProtocol(record.AsSpan(0, fragment));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    /// <summary>Gets whether the handshake messages of one record, <paramref name="fragment"/>, start with a ClientHello offering one of Mesh's protocols.</summary>
    public static bool OffersMeshProtocol(ReadOnlySpan<byte> fragment)
    {
        // Handshake: msg_type (1), length (3), then the ClientHello: legacy_version (2), random (32), session id,
        // cipher suites, compression methods, extensions.
        if (fragment.Length < 4 || fragment[0] != ClientHelloType)
        {
            return false;
        }

        var hello = fragment[4..];
        var length = (fragment[1] << 16) | (fragment[2] << 8) | fragment[3];
        if (length < hello.Length)
        {
            hello = hello[..length];
        }

        var at = 2 + 32;
        if (!Skip(hello, ref at, 1) || !Skip(hello, ref at, 2) || !Skip(hello, ref at, 1) || !Vector(hello, ref at, 2, out var extensions))
        {
            return false;
        }

        var e = 0;
        while (e + 4 <= extensions.Length)
        {
            var type = (extensions[e] << 8) | extensions[e + 1];
            var size = (extensions[e + 2] << 8) | extensions[e + 3];
            e += 4;
            if (e + size > extensions.Length)
            {
                return false;
            }

            if (type == AlpnExtension)
            {
                return OffersMeshProtocolIn(extensions.Slice(e, size));
            }

            e += size;
        }

        return false;
    }

    // ProtocolNameList: a 2-byte length, then names, each a 1-byte length and its bytes.
    private static bool OffersMeshProtocolIn(ReadOnlySpan<byte> extension)
    {
        var at = 0;
        if (!Vector(extension, ref at, 2, out var names))
        {
            return false;
        }

        var n = 0;
        while (n < names.Length)
        {
            var size = names[n];
            if (n + 1 + size > names.Length)
            {
                return false;
            }

            if (MeshAlpn.IsMeshs(names.Slice(n + 1, size)))
            {
                return true;
            }

            n += 1 + size;
        }

        return false;
    }

    // A vector with a length prefix of 1 or 2 bytes, skipped.
    private static bool Skip(ReadOnlySpan<byte> data, ref int at, int prefix) => Vector(data, ref at, prefix, out _);

    private static bool Vector(ReadOnlySpan<byte> data, ref int at, int prefix, out ReadOnlySpan<byte> vector)
    {
        vector = default;
        if (at + prefix > data.Length)
        {
            return false;
        }

        var length = prefix == 1 ? data[at] : (data[at] << 8) | data[at + 1];
        at += prefix;
        if (at + length > data.Length)
        {
            return false;
        }

        vector = data.Slice(at, length);
        at += length;
        return true;
    }
}
