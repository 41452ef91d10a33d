using System.Text;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>The gRPC status headers of the responses the sidecar makes itself for gRPC callers.</summary>
internal static class GrpcHeaders
{
    public const string Status = "grpc-status";
    public const string Message = "grpc-message";

    /// <summary>Whether a request's <c>content-type</c> is gRPC's (<c>application/grpc</c>, <c>application/grpc+proto</c>, ...).</summary>
    public static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A <c>grpc-message</c> value: the text's UTF-8 bytes, each outside printable ASCII (and <c>%</c> itself)
    /// percent-encoded, as the gRPC HTTP/2 protocol asks (PROTOCOL-HTTP2.md, "Status-Message").
    /// </summary>
    public static string EncodeMessage(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var encoded = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}
