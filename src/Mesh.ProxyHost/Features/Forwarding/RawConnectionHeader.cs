using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// The request's <c>Connection</c> header as the client sent it. Kestrel hands the application that header reduced to
/// <c>close</c> or <c>keep-alive</c> whenever it lists either, dropping the other names it lists: the very fields a
/// proxy must remove (<see cref="ConnectionNominatedHeaders"/>). So the text is kept as Kestrel decodes it: for this
/// header alone, Kestrel's request-header encoding selector returns an encoding that decodes as Kestrel's default would
/// (UTF-8, invalid bytes refused) and leaves the text in a holder that flows with the connection's requests.
/// </summary>
internal static class RawConnectionHeader
{
    private static readonly AsyncLocal<StrongBox<string?>> s_lastDecoded = new();

    /// <summary>Makes Kestrel report the raw <c>Connection</c> header of each HTTP/1.1 request.</summary>
    public static void Capture(KestrelServerOptions kestrel) =>
        kestrel.RequestHeaderEncodingSelector = name => name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase) ? CapturingEncoding.Instance : null;

    /// <summary>
    /// Gets the <c>Connection</c> header of <paramref name="context"/>'s request: what Kestrel shows, with the value it
    /// decoded (which names every option) when there is one. A request without the header has none, whatever an earlier
    /// request on the connection sent.
    /// </summary>
    public static StringValues Of(HttpContext context)
    {
        var shown = context.Request.Headers.Connection;
        var holder = s_lastDecoded.Value;
        var raw = holder?.Value;
        if (holder is not null)
        {
            holder.Value = null;
        }

        return shown.Count == 0 || raw is null ? shown : StringValues.Concat(shown, raw);
    }

    /// <summary>
    /// UTF-8 that refuses invalid bytes, like Kestrel's default, and keeps what it decodes. Only the array methods are
    /// overridden: <see cref="Encoding"/>'s span and pointer methods fall back on them.
    /// </summary>
    private sealed class CapturingEncoding : Encoding
    {
        public static readonly CapturingEncoding Instance = new();

        private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public override int GetByteCount(char[] chars, int index, int count) => s_utf8.GetByteCount(chars, index, count);

        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) =>
            s_utf8.GetBytes(chars, charIndex, charCount, bytes, byteIndex);

        public override int GetCharCount(byte[] bytes, int index, int count) => s_utf8.GetCharCount(bytes, index, count);

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
        {
            var written = s_utf8.GetChars(bytes, byteIndex, byteCount, chars, charIndex);
            Keep(new string(chars, charIndex, written));
            return written;
        }

        public override string GetString(byte[] bytes, int index, int count) => Keep(s_utf8.GetString(bytes, index, count));

        public override int GetMaxByteCount(int charCount) => s_utf8.GetMaxByteCount(charCount);

        public override int GetMaxCharCount(int byteCount) => s_utf8.GetMaxCharCount(byteCount);

        private static string Keep(string text)
        {
            var holder = s_lastDecoded.Value;
            if (holder is null)
            {
                holder = new StrongBox<string?>();
                s_lastDecoded.Value = holder;
            }

            holder.Value = text;
            return text;
        }
    }
}
