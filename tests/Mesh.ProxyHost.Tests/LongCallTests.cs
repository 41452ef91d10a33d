using Grpc.Net.Client;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Testing.Grpc;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// Long calls and streams are not cut by the defaults (per-try 10 s, total 30 s): the caller's own deadline is honoured as
/// given, and the per-try timeout bounds only a wait a retry could follow. A hung endpoint is still left after the per-try
/// timeout, when a retry can follow.
/// </summary>
public class LongCallTests
{
    [Fact]
    public async Task ATwelveSecondUnaryCall_WithA20sDeadline_Succeeds_UnderTheDefaults()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] }));
        using var channel = OutboundGrpc.Channel(sidecar);

        await LongCalls.TwelveSecondUnaryAsync(channel);

        Assert.Equal(1, backend.Calls);
    }

    [Fact]
    public async Task AFortySecondStream_WithA60sDeadline_Succeeds_UnderTheDefaults()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] }));
        using var channel = OutboundGrpc.Channel(sidecar);

        await LongCalls.FortySecondStreamAsync(channel);
    }

    [Fact]
    public async Task AnEndpointThatHangsBeforeHeaders_TimesOutPerTry_AndTheRequestIsRetried()
    {
        var hung = new TaskCompletionSource();
        await using var hanging = await TestBackend.StartAsync(async context =>
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => hung.TrySetResult(), TaskScheduler.Default);
        });
        await using var healthy = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(
            new Dictionary<string, string[]> { ["orders"] = [hanging.Url, healthy.Url] },
            """{ "orders": { "LoadBalancer": "RoundRobin" } }"""));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /work HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n", TimeSpan.FromSeconds(40));

        // The first attempt (round robin: the hanging endpoint) was given up after the per-try timeout, the retry answered.
        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal(1, hanging.Requests);
        Assert.Equal(1, healthy.Requests);
        await hung.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
