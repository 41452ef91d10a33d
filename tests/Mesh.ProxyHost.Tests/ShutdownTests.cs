using System.Net.Sockets;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Graceful shutdown, as on SIGTERM: <c>/ready</c> turns 503 for the drain delay while the listeners still accept,
/// then the listeners close (new connections are refused) and a request already in flight still completes.
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
