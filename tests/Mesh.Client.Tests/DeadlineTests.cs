using System.Collections.Concurrent;
using System.Net;
using Mesh.Client.Tests.Infrastructure;
using Mesh.Timeouts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace Mesh.Client.Tests;

public class DeadlineTests
{
    private static async Task<(WebApplication App, string Url)> StartFrontendAsync(TestBackend orders)
    {
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Configuration["Services:orders:http:0"] = orders.Url;
        builder.Services.AddMeshClient("orders");
        var app = builder.Build();
        app.UseMeshDeadlines();
        app.MapGet("/checkout", async (IHttpClientFactory clients) =>
        {
            using var response = await clients.CreateClient("orders").GetAsync("/work");
            return Results.StatusCode((int)response.StatusCode);
        });
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    [Fact]
    public async Task IncomingDeadline_IsSharedWithNestedCalls()
    {
        var seen = new ConcurrentQueue<string>();
        await using var orders = await TestBackend.StartAsync(ctx =>
        {
            seen.Enqueue(ctx.Request.Headers[DeadlineHeaders.MeshTimeout].ToString());
            return Task.CompletedTask;
        });
        var (frontend, url) = await StartFrontendAsync(orders);
        await using var _ = frontend;
        using var caller = new HttpClient();

        // 5 s: below the per-try 10 s, so the nested call's header can only come from the incoming deadline, and long
        // enough for a first call on a loaded machine (100 ms timed out on CI: a 500).
        var request = new HttpRequestMessage(HttpMethod.Get, url + "/checkout");
        request.Headers.Add(DeadlineHeaders.MeshTimeout, "5000");
        using var response = await caller.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var left = int.Parse(Assert.Single(seen), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(left, 0, 4999);
    }

    [Fact]
    public async Task GrpcTimeout_IsHonouredAsTheIncomingDeadline()
    {
        var seen = new ConcurrentQueue<string>();
        await using var orders = await TestBackend.StartAsync(ctx =>
        {
            seen.Enqueue(ctx.Request.Headers[DeadlineHeaders.MeshTimeout].ToString());
            return Task.CompletedTask;
        });
        var (frontend, url) = await StartFrontendAsync(orders);
        await using var _ = frontend;
        using var caller = new HttpClient();

        var request = new HttpRequestMessage(HttpMethod.Get, url + "/checkout");
        request.Headers.Add(DeadlineHeaders.GrpcTimeout, "2S");
        (await caller.SendAsync(request)).EnsureSuccessStatusCode();

        Assert.InRange(int.Parse(Assert.Single(seen), System.Globalization.CultureInfo.InvariantCulture), 1000, 1999);
    }

    [Fact]
    public async Task RequestArrivingWithItsDeadlinePassed_IsNotStarted()
    {
        await using var orders = await TestBackend.StartAsync();
        var (frontend, url) = await StartFrontendAsync(orders);
        await using var _ = frontend;
        using var caller = new HttpClient();

        var request = new HttpRequestMessage(HttpMethod.Get, url + "/checkout");
        request.Headers.Add(DeadlineHeaders.MeshTimeout, "0");
        using var response = await caller.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(0, orders.Requests);
    }

    [Fact]
    public async Task InProcessCall_UnderAnExpiredDeadline_IsNotSent()
    {
        await using var orders = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [orders]));
        var client = host.CreateClient();

        using (MeshDeadline.Begin(Deadline.After(TimeProvider.System, TimeSpan.FromMilliseconds(-1))))
        {
            await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetAsync("/work"));
        }

        Assert.Equal(0, orders.Requests);
        (await client.GetAsync("/work")).EnsureSuccessStatusCode();
        Assert.Equal(1, orders.Requests);
    }

    [Fact]
    public async Task OutgoingRequest_CarriesItsRemainingBudget_CappedByThePerTryTimeout()
    {
        var seen = new ConcurrentQueue<string>();
        await using var orders = await TestBackend.StartAsync(ctx =>
        {
            seen.Enqueue(ctx.Request.Headers[DeadlineHeaders.MeshTimeout].ToString());
            return Task.CompletedTask;
        });
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [orders]));
        (await host.CreateClient().GetAsync("/work")).EnsureSuccessStatusCode();

        Assert.Equal("10000", Assert.Single(seen));
    }

    // Each attempt states its own budget once: a caller's mesh-timeout-ms is replaced, not sent beside Mesh's, and a
    // retry replaces the one its first attempt carried; a caller's grpc-timeout is lowered to the attempt's budget and
    // sent once; none is invented for a caller that sent none.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EveryAttempt_CarriesOneDeadlineOfItsOwn(bool callerStatesDeadline)
    {
        var seen = new ConcurrentQueue<(string?[] Mesh, string?[] Grpc)>();
        var calls = 0;
        await using var orders = await TestBackend.StartAsync(ctx =>
        {
            seen.Enqueue((ctx.Request.Headers[DeadlineHeaders.MeshTimeout].ToArray(), ctx.Request.Headers[DeadlineHeaders.GrpcTimeout].ToArray()));
            ctx.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 503 : 200;
            return Task.CompletedTask;
        });
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [orders]));
        var request = new HttpRequestMessage(HttpMethod.Get, "/work");
        if (callerStatesDeadline)
        {
            request.Headers.TryAddWithoutValidation(DeadlineHeaders.MeshTimeout, "20000");
            request.Headers.TryAddWithoutValidation(DeadlineHeaders.GrpcTimeout, "20S");
        }

        using var response = await host.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, seen.Count);
        Assert.All(seen, attempt =>
        {
            // A retry could follow, so the per-try timeout (10 s) bounds each attempt, below the caller's 20 s.
            Assert.InRange(int.Parse(Assert.Single(attempt.Mesh)!, System.Globalization.CultureInfo.InvariantCulture), 1, 10_000);
            if (callerStatesDeadline)
            {
                Assert.True(DeadlineHeaders.TryParseGrpcTimeout(Assert.Single(attempt.Grpc)!, out var grpc));
                Assert.InRange(grpc, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));
            }
            else
            {
                Assert.Empty(attempt.Grpc);
            }
        });
    }
}
