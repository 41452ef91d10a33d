using System.Buffers;

namespace Mesh.ProxyHost.Features.Detection;

/// <summary>
/// Tells a connection's protocol from its first bytes, as linkerd2-proxy's detection and Envoy's http_inspector and
/// tls_inspector do: the HTTP/2 preface, a TLS record header, or an HTTP/1.x request line
/// (<c>METHOD SP target SP HTTP/1.x CRLF</c>); anything that cannot be the start of one of them is opaque. Decides as
/// soon as the bytes allow (a binary protocol is told from its first byte), and reads at most
/// <see cref="MaxRequestLine"/> bytes.
/// </summary>
internal static class ProtocolDetector
{
    /// <summary>The longest request line looked for; Kestrel's own limit on it is 8 KiB.</summary>
    public const int MaxRequestLine = 8 * 1024;

    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private static ReadOnlySpan<byte> Http1Version => " HTTP/1."u8;

    /// <summary>
    /// Detects the protocol of <paramref name="buffer"/>, the connection's first bytes; null when more bytes are needed.
    /// With <paramref name="completed"/> (the client sent all it will), an undecided start is opaque.
    /// </summary>
    public static DetectedProtocol? Detect(ReadOnlySequence<byte> buffer, bool completed)
    {
        if (buffer.IsEmpty)
        {
            return completed ? DetectedProtocol.Opaque : null;
        }

        Span<byte> stack = stackalloc byte[256];
        var length = (int)Math.Min(buffer.Length, MaxRequestLine);
        var rented = length > stack.Length ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var head = rented is null ? stack[..length] : rented.AsSpan(0, length);
            buffer.Slice(0, length).CopyTo(head);
            return Detect(head, completed || buffer.Length >= MaxRequestLine);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Detects the protocol of <paramref name="head"/>; null when more bytes are needed (and could come).</summary>
    public static DetectedProtocol? Detect(ReadOnlySpan<byte> head, bool completed)
    {
        var decided = head.IsEmpty ? null : IsPrefixOf(head, Http2Preface) ? Http2(head) : Tls(head);
        return decided ?? (completed ? DetectedProtocol.Opaque : null);
    }

    // The preface or a prefix of it ("PRI * HTTP/2.0..." is no HTTP/1 request line): only the whole preface decides.
    private static DetectedProtocol? Http2(ReadOnlySpan<byte> head) =>
        head.Length >= Http2Preface.Length ? DetectedProtocol.Http2 : null;

    // A TLS record: content type handshake (22), then version 3.x (SSL 3.0 to TLS 1.3 all write 3.x there).
    private static DetectedProtocol? Tls(ReadOnlySpan<byte> head) => head switch
    {
        [0x16] => null,
        [0x16, 0x03, ..] => DetectedProtocol.Tls,
        _ => Http1(head),
    };

    private static bool IsPrefixOf(ReadOnlySpan<byte> head, ReadOnlySpan<byte> whole)
    {
        var compared = Math.Min(head.Length, whole.Length);
        return head[..compared].SequenceEqual(whole[..compared]);
    }

    private static DetectedProtocol? Http1(ReadOnlySpan<byte> head)
    {
        // The method: one or more token characters, then a space.
        var method = 0;
        while (method < head.Length && IsTokenChar(head[method]))
        {
            method++;
        }

        if (method == head.Length)
        {
            return method <= 20 ? null : DetectedProtocol.Opaque;
        }

        if (method == 0 || head[method] != (byte)' ')
        {
            return DetectedProtocol.Opaque;
        }

        // The target: visible characters up to the next space.
        var target = method + 1;
        while (target < head.Length && head[target] > 0x20 && head[target] < 0x7f)
        {
            target++;
        }

        if (target == head.Length)
        {
            return null;
        }

        if (target == method + 1 || head[target] != (byte)' ')
        {
            return DetectedProtocol.Opaque;
        }

        // " HTTP/1." and a digit, then CRLF (or a bare LF, which Kestrel refuses but is still HTTP/1).
        var version = head[target..];
        if (!IsPrefixOf(version, Http1Version))
        {
            return DetectedProtocol.Opaque;
        }

        return version.Length <= Http1Version.Length ? null
            : char.IsAsciiDigit((char)version[Http1Version.Length]) ? DetectedProtocol.Http1
            : DetectedProtocol.Opaque;
    }

    // RFC 9110 §5.6.2 tchar.
    private static bool IsTokenChar(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
