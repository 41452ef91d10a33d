using System.Net;
using System.Security.Cryptography;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests;

/// <summary>Network faults between the sidecar and its endpoint, injected by a TCP fault proxy: what the caller sees.</summary>
public class FaultProxyTests
{
    private static readonly byte[] Body = RandomNumberGenerator.GetBytes(1 << 20);

    private static Task<TestBackend> BigBodyBackendAsync() => TestBackend.StartAsync(async ctx =>
    {
        ctx.Response.ContentLength = Body.Length;
        await ctx.Response.Body.WriteAsync(Body);
    });

    private static async Task<(TestBackend Backend, TcpFaultProxy Proxy, Sidecar Sidecar)> StartAsync(string meshServices = "{}")
    {
        var backend = await BigBodyBackendAsync();
        var proxy = new TcpFaultProxy(IPEndPoint.Parse(new Uri(backend.Url).Authority));
        var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["big"] = [proxy.Url] }, meshServices));
        return (backend, proxy, sidecar);
    }

    [Fact]
    public async Task ResetMidBody_TheCallerSeesAnAbortedResponse_NeverACompleteLooking200()
    {
        var (backend, proxy, sidecar) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;
        await using var ___ = sidecar;
        proxy.Toxics = new Toxics { LimitData = 200_000 };
        using var client = sidecar.OutboundClient("big");

        for (var trial = 0; trial < 5; trial++)
        {
            try
            {
                using var response = await client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead);
                var ex = await Record.ExceptionAsync(() => response.Content.ReadAsByteArrayAsync());
                Assert.True(ex is HttpRequestException or IOException, $"trial {trial}: the body was read whole ({response.StatusCode})");
            }
            catch (HttpRequestException)
            {
                // Cut before the headers were relayed: also an error, never a success.
            }
        }
    }

    [Fact]
    public async Task SlicedAndDelayedBytes_ArriveWhole()
    {
        var (backend, proxy, sidecar) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;
        await using var ___ = sidecar;
        proxy.Toxics = new Toxics { SlicerBytes = 4093, Latency = TimeSpan.FromMilliseconds(0), Jitter = TimeSpan.FromMilliseconds(1) };
        using var client = sidecar.OutboundClient("big");

        var body = await client.GetByteArrayAsync("/big");

        Assert.Equal(SHA256.HashData(Body), SHA256.HashData(body));
    }

    [Fact]
    public async Task ResetBeforeHeaders_IsA502_WithTheReason()
    {
        var (backend, proxy, sidecar) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;
        await using var ___ = sidecar;
        proxy.Toxics = new Toxics { ResetPeer = TimeSpan.Zero, Direction = ToxicDirection.Upstream };

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /big HTTP/1.1\r\nHost: big\r\nConnection: close\r\n\r\n");

        Assert.Equal(502, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error:", response, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, proxy.Connections); // the first attempt and two retries (GET is idempotent), each reset
    }

    [Fact]
    public async Task HangingConnection_ResponseHeadersTimeout_IsA504()
    {
        var (backend, proxy, sidecar) = await StartAsync("""{ "big": { "Timeouts": { "Total": "00:00:00.400", "PerTry": "00:00:00.400" } } }""");
        await using var _ = backend;
        await using var __ = proxy;
        await using var ___ = sidecar;
        proxy.Toxics = new Toxics { Timeout = TimeSpan.Zero };

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /big HTTP/1.1\r\nHost: big\r\nConnection: close\r\n\r\n");

        Assert.Equal(504, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: deadline-exceeded", response, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OversizedUpstreamResponseHeaders_AreA502_AndTheSidecarKeepsServing()
    {
        await using var backend = await TestBackend.StartAsync(ctx =>
        {
            if (ctx.Request.Path == "/huge")
            {
                ctx.Response.Headers["x-huge"] = new string('a', 200_000);
            }

            return Task.CompletedTask;
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        var huge = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /huge HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");
        var next = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /ok HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");

        Assert.Equal(502, RawHttp.Status(huge));
        Assert.Equal(200, RawHttp.Status(next));
    }

    [Fact]
    public async Task TooLongRequestLine_GetsA4xx_AndIsNeverForwarded()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, $"GET /{new string('a', 20_000)} HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");
        var next = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /ok HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");

        Assert.InRange(RawHttp.Status(response), 400, 499);
        Assert.Equal(200, RawHttp.Status(next));
        Assert.Equal(1, backend.Requests);
    }
}
