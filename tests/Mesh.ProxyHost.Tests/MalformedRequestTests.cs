using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Requests no HTTP client would send, written byte for byte to the outbound listener: each is refused with a 4xx,
/// none reaches the backend as a request it could act on, and the sidecar keeps serving afterwards.
/// </summary>
public class MalformedRequestTests
{
    private static string Request(string what) => what switch
    {
        "bad-host" => "GET /work HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n",
        "100kb-header" => $"GET /work HTTP/1.1\r\nHost: orders\r\nX-Big: {new string('a', 100 * 1024)}\r\nConnection: close\r\n\r\n",
        "non-hex-chunk-size" => "POST /work HTTP/1.1\r\nHost: orders\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "content-length-and-chunked" => "POST /work HTTP/1.1\r\nHost: orders\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        _ => throw new ArgumentOutOfRangeException(nameof(what)),
    };

    [Theory]
    [InlineData("bad-host")]
    [InlineData("100kb-header")]
    [InlineData("non-hex-chunk-size")]
    [InlineData("content-length-and-chunked")]
    public async Task MalformedRequest_Gets4xx_NeverReachesTheBackend_AndTheSidecarKeepsServing(string what)
    {
        // The backend counts only requests it could act on: headers and a body read to its end.
        var complete = 0;
        await using var orders = await TestBackend.StartAsync(async ctx =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
            Interlocked.Increment(ref complete);
            ctx.Response.StatusCode = 200;
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [orders.Url] }));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, Request(what));

        Assert.True(RawHttp.Status(response) is >= 400 and < 500, $"{what}: {response}");
        Assert.True(Volatile.Read(ref complete) == 0, $"{what}: the backend received it whole");

        // A bad chunk is found only when the body is read, after the headers went on (a streaming proxy does not hold
        // bodies back): the backend then sees the body cut short, never complete. Everything else stops at the sidecar.
        if (what != "non-hex-chunk-size")
        {
            Assert.Equal(0, orders.Requests);
        }

        var normal = await RawHttp.SendAsync(sidecar.OutboundPort, "POST /work HTTP/1.1\r\nHost: orders\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        Assert.Equal(200, RawHttp.Status(normal));
        Assert.Equal(1, Volatile.Read(ref complete));
    }
}
