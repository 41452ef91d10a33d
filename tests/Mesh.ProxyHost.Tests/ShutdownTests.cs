using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Graceful shutdown, as on SIGTERM: <c>/ready</c> turns 503 for the drain delay while the listeners still accept,
/// then the listeners close (new connections are refused) and a request already in flight still completes, over
/// HTTP/1.1 and over an HTTP/2 connection (which Kestrel tells GOAWAY while letting its open stream finish).
/// </summary>
public class ShutdownTests
{
    [Fact]
    public async Task Stop_DrainsReadiness_RefusesNewConnections_AndLetsTheInFlightRequestComplete()
    {
        // The backend holds the request until the test releases it, so "in flight" does not depend on timing.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await TestBackend.StartAsync(async ctx =>
        {
            await release.Task;
            ctx.Response.StatusCode = 200;
            await ctx.Response.WriteAsync("done", ctx.RequestAborted);
        });
        try
        {
            var json = Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [slow.Url] })
                .Replace("\"DrainDelay\": \"00:00:00\"", "\"DrainDelay\": \"00:00:01\"", StringComparison.Ordinal);
            Assert.Contains("\"DrainDelay\": \"00:00:01\"", json, StringComparison.Ordinal);
            await using var sidecar = await Sidecar.StartAsync(json);
            using var client = sidecar.OutboundClient("orders");
            using var admin = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = sidecar.Admin };
            Assert.Equal(200, (int)(await admin.GetAsync("/ready")).StatusCode);

            var inFlight = client.GetAsync("/work");
            await Eventually.TrueAsync(() => Task.FromResult(slow.Requests == 1), "the request reaches the backend");

            var stopping = sidecar.StopAsync();
            await Eventually.TrueAsync(async () => (int)(await admin.GetAsync("/ready")).StatusCode == 503, "/ready answers 503 while draining");
            await Eventually.TrueAsync(() => RefusesConnectionsAsync(sidecar.OutboundPort), "the outbound listener refuses new connections");
            Assert.False(inFlight.IsCompleted);

            release.TrySetResult();
            using var response = await inFlight;
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("done", await response.Content.ReadAsStringAsync());
            await stopping;
            Assert.True(await RefusesConnectionsAsync(sidecar.AdminPort));
            Assert.Equal(1, slow.Requests);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Stop_WithAnHttp2ClientMidRequest_CompletesItsStreamWhole_AndRefusesNewRequests()
    {
        // The response is larger than HTTP/2's initial 64 KiB flow-control window, so it must keep flowing after the
        // sidecar has begun shutting down (GOAWAY sent, listeners closed), not just fit in a buffer.
        const int BodyLength = 512 * 1024;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await TestBackend.StartHttp2Async(async ctx =>
        {
            await release.Task;
            ctx.Response.StatusCode = 200;
            await using var body = new GeneratedStream(BodyLength);
            await body.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
        });
        try
        {
            var json = Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [slow.Url] })
                .Replace("\"DrainDelay\": \"00:00:00\"", "\"DrainDelay\": \"00:00:01\"", StringComparison.Ordinal);
            Assert.Contains("\"DrainDelay\": \"00:00:01\"", json, StringComparison.Ordinal);
            await using var sidecar = await Sidecar.StartAsync(json);

            // h2c with prior knowledge to the outbound HTTP/2 listener; the service is the URL's authority.
            using var client = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port))
            {
                DefaultRequestVersion = HttpVersion.Version20,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var admin = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = sidecar.Admin };

            var inFlight = client.GetAsync(new Uri("http://orders/work"));
            await Eventually.TrueAsync(() => Task.FromResult(slow.Requests == 1), "the request reaches the backend");

            var stopping = sidecar.StopAsync();
            await Eventually.TrueAsync(async () => (int)(await admin.GetAsync("/ready")).StatusCode == 503, "/ready answers 503 while draining");
            await Eventually.TrueAsync(() => RefusesConnectionsAsync(sidecar.OutboundHttp2Port), "the outbound HTTP/2 listener refuses new connections");
            Assert.False(inFlight.IsCompleted);

            // A new HTTP/2 client while the sidecar drains: refused at once (it must not hang behind the held request).
            using (var late = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port)) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact })
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => late.GetAsync(new Uri("http://orders/late")).WaitAsync(TimeSpan.FromSeconds(30)));
            }

            release.TrySetResult();
            using var response = await inFlight;
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Equal(200, (int)response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(BodyLength, body.Length);
            Assert.Equal(GeneratedStream.Sha256(BodyLength), Convert.ToHexStringLower(SHA256.HashData(body)));
            await stopping;

            // After shutdown the same client (its connection was told GOAWAY and closed) gets an error, never a hang.
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://orders/after")).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(1, slow.Requests);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    private static async Task<bool> RefusesConnectionsAsync(int port)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Accepted by the kernel while the listener was closing, then reset: not refused yet.
            return false;
        }
    }
}
