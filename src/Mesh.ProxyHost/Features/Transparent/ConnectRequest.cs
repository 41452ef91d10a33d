using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// A <c>CONNECT host:port HTTP/1.x</c> request opening a connection (RFC 9110 §9.3.6), as clients that only know proxies
/// send it: gRPC core and Node's undici with <c>http_proxy</c>, <c>curl -p</c>. Read whole (its header fields, which
/// say nothing the sidecar uses, are skipped) within a time and size limit, and taken from the input, so that what
/// follows is the tunnel's first bytes.
/// </summary>
internal static class ConnectRequest
{
    /// <summary>The most bytes the request may take, as Kestrel's request line and header limits allow.</summary>
    public const int MaxSize = 32 * 1024;

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>Reads the request and returns its authority (<c>host:port</c>), or null when it is not a well-formed CONNECT.</summary>
    public static async Task<string?> ReadAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException)
            {
                return null;
            }

            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> head, EndOfHead))
            {
                var authority = AuthorityOf(head);
                input.AdvanceTo(reader.Position);
                return authority;
            }

            if (result.IsCompleted || buffer.Length >= MaxSize)
            {
                input.AdvanceTo(buffer.Start);
                return null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Splits an authority into host and port; IPv6 literals come bracketed (<c>[::1]:443</c>).</summary>
    public static bool TrySplit(string authority, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = authority.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(authority.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = authority[..colon].Trim('[', ']').ToLowerInvariant();
        return host.Length > 0 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

    /// <summary>Gets the address of an authority whose host is an IP literal.</summary>
    public static IPEndPoint? AddressOf(string host, int port) => IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : null;

    private static string? AuthorityOf(ReadOnlySequence<byte> head)
    {
        var line = new SequenceReader<byte>(head);
        if (!line.TryReadTo(out ReadOnlySequence<byte> requestLine, (byte)'\n', advancePastDelimiter: true))
        {
            requestLine = head;
        }

        var text = Encoding.ASCII.GetString(requestLine).TrimEnd('\r');
        var parts = text.Split(' ');
        return parts is ["CONNECT", { Length: > 0 } authority, ['H', 'T', 'T', 'P', '/', '1', '.', _]] ? authority : null;
    }
}
