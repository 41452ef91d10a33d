using System.Net.Sockets;
using System.Text;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests;

public class HeaderHygieneTests
{
    [Fact]
    public async Task XForwardedFor_FromATrustedProxy_IsKeptAndExtended()
    {
        string? seen = null;
        await using var backend = await TestBackend.StartAsync(ctx =>
        {
            seen = ctx.Request.Headers["X-Forwarded-For"].ToString();
            return Task.CompletedTask;
        });
        var json = Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] })
            .Replace("\"DrainDelay\": \"00:00:00\"", "\"DrainDelay\": \"00:00:00\", \"TrustedProxies\": [ \"127.0.0.1\" ]", StringComparison.Ordinal);
        await using var sidecar = await Sidecar.StartAsync(json);

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET / HTTP/1.1\r\nHost: orders\r\nX-Forwarded-For: 203.0.113.7\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal("203.0.113.7, 127.0.0.1", seen);
    }

    [Fact]
    public async Task HeadersTheConnectionHeaderNames_AreRemovedFromTheRequest_AlsoNextToKeepAliveOrClose_AndOnlyForThatRequest()
    {
        // Kestrel shows the application "Connection: keep-alive, X-Secret" as "keep-alive"; the sidecar reads the header
        // as sent. Three requests on one connection: the second does not name X-Secret, so it keeps it.
        var seen = new Dictionary<string, string>();
        await using var backend = await TestBackend.StartAsync(ctx =>
        {
            lock (seen)
            {
                seen[ctx.Request.Headers["req"].ToString()] = string.Join(",", ctx.Request.Headers.Keys.Where(k => k.StartsWith("X-", StringComparison.OrdinalIgnoreCase)).Order());
            }

            return Task.CompletedTask;
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", sidecar.OutboundPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "GET / HTTP/1.1\r\nHost: orders\r\nreq: 1\r\nConnection: keep-alive, X-Secret,x-other\r\nX-Secret: s\r\nX-Other: o\r\nX-Kept: k\r\n\r\n" +
            "GET / HTTP/1.1\r\nHost: orders\r\nreq: 2\r\nX-Secret: s\r\nX-Kept: k\r\n\r\n" +
            "GET / HTTP/1.1\r\nHost: orders\r\nreq: 3\r\nConnection: X-Kept, close\r\nX-Secret: s\r\nX-Kept: k\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var responses = await reader.ReadToEndAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.Equal(3, responses.Split("HTTP/1.1 200").Length - 1);
        Assert.Equal("X-Kept", Without(seen["1"]));
        Assert.Equal("X-Kept,X-Secret", Without(seen["2"]));
        Assert.Equal("X-Secret", Without(seen["3"]));
    }

    [Fact]
    public async Task HeadersTheUpstreamResponsesConnectionHeaderNames_AreRemovedFromTheResponse()
    {
        await using var backend = await TestBackend.StartAsync(ctx =>
        {
            ctx.Response.Headers["Connection"] = "X-Internal";
            ctx.Response.Headers["X-Internal"] = "hop only";
            ctx.Response.Headers["X-Public"] = "end to end";
            return Task.CompletedTask;
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET / HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, RawHttp.Status(response));
        Assert.Contains("X-Public: end to end", response, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Internal", response, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SlowBodyClient_IsCutOff_WhileNormalClientsAreServed()
    {
        // Kestrel's minimum request body rate (240 B/s after a 5 s grace period) applies through the sidecar: a client
        // trickling 4 bytes a second of a 100 kB body is cut off; the backend never gets its whole body.
        var completeBodies = 0;
        await using var backend = await TestBackend.StartAsync(async ctx =>
        {
            if (HttpMethods.IsPost(ctx.Request.Method))
            {
                using var sink = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(sink);
                Interlocked.Increment(ref completeBodies);
            }
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        using var slow = new TcpClient();
        await slow.ConnectAsync("127.0.0.1", sidecar.OutboundPort);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: orders\r\nContent-Length: 100000\r\n\r\n"));
        var cutOff = false;
        var served = 0;
        for (var tick = 0; tick < 240 && !cutOff; tick++)
        {
            try
            {
                await stream.WriteAsync("x"u8.ToArray());
            }
            catch (IOException)
            {
                cutOff = true;
                break;
            }

            if (RawHttp.Status(await RawHttp.SendAsync(sidecar.OutboundPort, "GET / HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n")) == 200)
            {
                served++;
            }

            // Closed by the server (after a 408, or without an answer): readable, and the read returns the end.
            cutOff = slow.Client.Poll(250_000, SelectMode.SelectRead);
        }

        Assert.True(cutOff, "the slow body was never cut off");
        Assert.True(served > 0);
        Assert.Equal(0, completeBodies);
    }

    // The X- headers the backend saw, less the sidecar's own X-Forwarded-*.
    private static string Without(string seen) =>
        string.Join(",", seen.Split(',').Where(h => !h.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase) && h.Length > 0));

    [Fact]
    public async Task SlowlorisClient_IsCutOff_WhileNormalClientsAreServed()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }),
            "--Mesh:Proxy:RequestHeadersTimeout=00:00:01");

        using var slow = new TcpClient();
        await slow.ConnectAsync("127.0.0.1", sidecar.OutboundPort);
        var stream = slow.GetStream();
        var cutOff = false;
        var served = 0;
        foreach (var b in Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: orders\r\nX-Slow: " + new string('a', 200)))
        {
            try
            {
                await stream.WriteAsync(new[] { b });
            }
            catch (IOException)
            {
                cutOff = true;
                break;
            }

            // Normal clients keep being served while the slow one dribbles.
            if (RawHttp.Status(await RawHttp.SendAsync(sidecar.OutboundPort, "GET / HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n")) == 200)
            {
                served++;
            }

            if (slow.Client.Poll(0, SelectMode.SelectRead))
            {
                // The server closed (or answered 408 and closed) the slow connection.
                cutOff = true;
                break;
            }
        }

        // Headers never completed: within a bounded wait the server gives up on the connection.
        for (var i = 0; i < 100 && !cutOff; i++)
        {
            if (slow.Client.Poll(100_000, SelectMode.SelectRead))
            {
                cutOff = true;
            }
        }

        Assert.True(cutOff, "the slow client was never cut off");
        Assert.True(served > 0);
        Assert.Equal(served, backend.Requests);
    }
}
