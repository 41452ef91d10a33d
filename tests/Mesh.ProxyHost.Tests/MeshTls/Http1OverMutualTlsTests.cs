using System.Text;
using Mesh.ProxyHost.Testing.Identity;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// An HTTP/1.1 request written byte by byte to the caller's sidecar crosses to the callee's as HTTP/2 over mutual TLS,
/// and the application (a server written on a socket, recording what it reads) gets it as HTTP/1.1 exactly as it gets
/// the same request through two sidecars in plaintext (HTTP/1.1 between them): the request line, every header field with
/// its value in order (names compared without case: HTTP/2 sends them in lower case), the body byte for byte, in
/// Content-Length and in chunked form; connection-level headers removed in both; only mesh-client-id added, naming the
/// caller. A request's chunked trailer is lost on both paths alike (the sidecar's HTTP/1.1 client sends no request
/// trailers): compared, not asserted present.
/// </summary>
public sealed class Http1OverMutualTlsTests : IDisposable
{
    private const string Caller = "spiffe://example.org/ns/shop/sa/web";
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnHttp1Request_ReachesTheApplication_AsInPlaintext_FieldsAndBodyUnchanged(bool chunked)
    {
        var body = new StringBuilder();
        var random = new Random(16);
        for (var i = 0; i < 20_000; i++)
        {
            body.Append((char)random.Next(0x20, 0x7f));
        }

        var request = Request(body.ToString(), chunked);
        var plain = await SendThroughTwoSidecarsAsync(request, mutualTls: false);
        var meshed = await SendThroughTwoSidecarsAsync(request, mutualTls: true);

        Assert.Equal("PUT /orders/42?x=1&y=%20z HTTP/1.1", meshed.RequestLine);
        Assert.Equal(plain.RequestLine, meshed.RequestLine);
        Assert.Equal(Encoding.ASCII.GetBytes(body.ToString()), meshed.Body);
        Assert.Equal(plain.Body, meshed.Body);
        Assert.Equal(plain.Trailers, meshed.Trailers);
        Assert.Equal(("mesh-client-id", Caller), Assert.Single(meshed.Fields, f => f.Name == "mesh-client-id"));
        Assert.DoesNotContain(plain.Fields, f => f.Name == "mesh-client-id");
        Assert.Equal(Comparable(plain), Comparable(meshed));

        // What the caller wrote, there as written; the connection's own headers gone.
        var fields = Comparable(meshed);
        Assert.Contains(("user-agent", "raw-client/1.0"), fields);
        Assert.Contains(("accept", "text/plain, */*;q=0.5"), fields);
        Assert.Contains(("x-spaced", "a  b   c"), fields);
        Assert.Equal(["first", "second"], fields.Where(f => f.Name == "x-multi").SelectMany(f => f.Value.Split(", ")));
        Assert.DoesNotContain(fields, f => f.Name is "x-hop" or "keep-alive");
    }

    private static string Request(string body, bool chunked)
    {
        var head =
            "PUT /orders/42?x=1&y=%20z HTTP/1.1\r\n" +
            "Host: orders\r\n" +
            "User-Agent: raw-client/1.0\r\n" +
            "Accept: text/plain, */*;q=0.5\r\n" +
            "X-Multi: first\r\n" +
            "X-Multi: second\r\n" +
            "X-Spaced: a  b   c\r\n" +
            "Content-Type: text/plain; charset=us-ascii\r\n" +
            "Connection: keep-alive, X-Hop\r\n" +
            "X-Hop: must-go\r\n" +
            "Keep-Alive: timeout=5\r\n";
        return chunked
            ? head + "Transfer-Encoding: chunked\r\n\r\n" + $"{7:x}\r\n{body[..7]}\r\n{body.Length - 7:x}\r\n{body[7..]}\r\n0\r\nX-Checksum: c0ffee\r\n\r\n"
            : head + $"Content-Length: {body.Length}\r\n\r\n{body}";
    }

    // The fields to compare: without mesh-client-id, and without those that differ from one request to the next or with
    // the way the body was framed (a trace context, the framing); the deadline's remaining milliseconds by name only.
    private static List<(string Name, string Value)> Comparable(RecordedRequest request) =>
        request.Fields
            .Where(static f => f.Name is not ("mesh-client-id" or "traceparent" or "tracestate" or "content-length" or "transfer-encoding"))
            .Select(static f => f.Name == "mesh-timeout-ms" ? (f.Name, "(remaining)") : f)
            .ToList();

    private async Task<RecordedRequest> SendThroughTwoSidecarsAsync(string request, bool mutualTls)
    {
        using var app = RecordingHttpServer.Start();
        await using var callee = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url),
            mutualTls ? _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders")).Args : []);
        await using var caller = await Sidecar.StartAsync(
            Sidecar.Json(
                new Dictionary<string, string[]> { ["orders"] = [$"http://127.0.0.1:{callee.InboundPort}"] },
                mutualTls ? """{ "orders": { "Identity": "spiffe://example.org/ns/shop/sa/orders" } }""" : "{}"),
            mutualTls ? _domain.Write("web", _domain.Issue("/ns/shop/sa/web")).Args : []);

        var response = await RawHttp.SendAsync(caller.OutboundPort, request);

        Assert.Equal(200, RawHttp.Status(response));
        return Assert.Single(app.Requests);
    }
}
