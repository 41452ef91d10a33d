using System.Net;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.ProxyHost.Tests.Performance;

/// <summary>
/// The sidecar's binary runs socket continuations on the socket threads (Mesh:Proxy:InlineSocketCompletions, on by
/// default): a slow upstream must not hold those threads, or every connection they serve would stall with it.
/// </summary>
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public async Task SlowUpstreams_DoNotStallOtherConnections()
    {
        // "slow": every request hangs until the test ends, or trickles its body out a byte at a time; "fast" answers at once.
        using var release = new CancellationTokenSource();
        await using var slow = await TestBackend.StartAsync(async context =>
        {
            if (context.Request.Path == "/trickle")
            {
                for (var i = 0; i < 600 && !release.IsCancellationRequested; i++)
                {
                    await context.Response.WriteAsync("x", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(100, context.RequestAborted);
                }

                return;
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, CancellationTokenSource.CreateLinkedTokenSource(release.Token, context.RequestAborted).Token).ContinueWith(static _ => { });
        });
        await using var fast = await TestBackend.StartAsync(context => context.Response.WriteAsync("fast"));

        var outbound = FreePort.Get();
        var admin = FreePort.Get();
        await using var sidecar = await RunningSidecar.StartAsync(
        [
            .. RunningSidecar.OutboundOnly(outbound, admin),
            $"--Services:slow:http:0={slow.Url}",
            $"--Services:fast:http:0={fast.Url}",
            "--Mesh:Services:slow:Timeouts:PerTry=00:10:00",
            "--Mesh:Services:slow:Timeouts:Total=00:10:00",
        ], admin);

        // In effect: with inline completions the runtime runs one socket thread per CPU (else one per 30 CPUs).
        if (Environment.ProcessorCount >= 2)
        {
            Assert.Equal(Environment.ProcessorCount, sidecar.Threads(".NET Sockets"));
        }

        // 64 connections held by the slow service (more than the machine's socket threads and its thread pool's minimum),
        // 8 of them reading a trickling body.
        using var slowClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 100 }) { Timeout = Timeout.InfiniteTimeSpan };
        var held = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{outbound}/{(i < 8 ? "trickle" : "hang")}");
            request.Headers.Host = "slow";
            using var response = await slowClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, release.Token);
            await response.Content.CopyToAsync(Stream.Null, release.Token);
        })).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(slow.Requests == 64), "all 64 slow requests reached the slow upstream");

        // Meanwhile, 400 requests to the fast service over 8 other connections are all answered.
        using var fastClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { Timeout = TimeSpan.FromSeconds(60) };
        var answered = await Task.WhenAll(Enumerable.Range(0, 400).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{outbound}/");
            request.Headers.Host = "fast";
            using var response = await fastClient.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        Assert.All(answered, a => Assert.Equal((HttpStatusCode.OK, "fast"), a));
        Assert.Equal(400, fast.Requests);
        Assert.All(held, t => Assert.False(t.IsCompleted, "a slow request ended early"));

        release.Cancel();
        await Task.WhenAll(held.Select(t => t.ContinueWith(static _ => { })));
    }
}
