using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Testing;

/// <summary>
/// An HTTP/1.1 server written on a socket, for tests that check what exactly reached the application: it records each
/// request's head as it came (request line and header lines, in order and case) and its body bytes (by
/// <c>Content-Length</c>, or decoded from <c>chunked</c>, trailer lines kept), and answers <c>200 ok</c>.
/// </summary>
public sealed class RecordingHttpServer : LoopbackTcpServer
{
    private const int MaxHead = 64 * 1024;

    private RecordingHttpServer() => BeginAccepting();

    /// <summary>Gets the requests received so far, in the order they were read.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static RecordingHttpServer Start() => new();

    protected override async Task ServeAsync(Socket socket, CancellationToken stop)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new BufferedReader(stream);
        while (await reader.ReadLineAsync(stop) is { Length: > 0 } requestLine)
        {
            var headers = new List<string>();
            string? line;
            while ((line = await reader.ReadLineAsync(stop)) is { Length: > 0 })
            {
                headers.Add(line);
                if (headers.Sum(h => h.Length) > MaxHead)
                {
                    return;
                }
            }

            var body = new MemoryStream();
            var trailers = new List<string>();
            if (Header(headers, "Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
            {
                while (int.Parse((await reader.ReadLineAsync(stop))!.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) is var size and > 0)
                {
                    body.Write(await reader.ReadExactlyAsync(size, stop));
                    await reader.ReadLineAsync(stop);
                }

                while ((line = await reader.ReadLineAsync(stop)) is { Length: > 0 })
                {
                    trailers.Add(line);
                }
            }
            else if (Header(headers, "Content-Length") is { } length)
            {
                body.Write(await reader.ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), stop));
            }

            Requests.Enqueue(new RecordedRequest(requestLine, headers, body.ToArray(), trailers));
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), stop);
        }
    }

    private static string? Header(List<string> headers, string name) =>
        headers.FirstOrDefault(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)) is { } line ? line[(name.Length + 1)..].Trim() : null;

    // Lines (CRLF) and exact byte counts from one stream.
    private sealed class BufferedReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken stop)
        {
            var line = new MemoryStream();
            while (true)
            {
                if (_start == _end && !await FillAsync(stop))
                {
                    return null;
                }

                var b = _buffer[_start++];
                if (b == '\n')
                {
                    var bytes = line.ToArray();
                    return Encoding.Latin1.GetString(bytes, 0, bytes.Length > 0 && bytes[^1] == '\r' ? bytes.Length - 1 : bytes.Length);
                }

                line.WriteByte(b);
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken stop)
        {
            var result = new byte[count];
            var filled = 0;
            while (filled < count)
            {
                if (_start == _end && !await FillAsync(stop))
                {
                    throw new EndOfStreamException();
                }

                var n = Math.Min(count - filled, _end - _start);
                Array.Copy(_buffer, _start, result, filled, n);
                _start += n;
                filled += n;
            }

            return result;
        }

        private async Task<bool> FillAsync(CancellationToken stop)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, stop);
            return _end > 0;
        }
    }
}

/// <summary>One request as <see cref="RecordingHttpServer"/> read it.</summary>
public sealed record RecordedRequest(string RequestLine, IReadOnlyList<string> HeaderLines, byte[] Body, IReadOnlyList<string> Trailers)
{
    /// <summary>Gets the header fields as (lower-case name, value) pairs, in the order they came.</summary>
    public IReadOnlyList<(string Name, string Value)> Fields =>
        HeaderLines.Select(static l => (l[..l.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant(), l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToList();
}
