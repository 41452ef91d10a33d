using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Testing.Grpc;
using Mesh.Testing.Grpc.Protos;
using Mesh.Timeouts;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// gRPC through the sidecar's cleartext HTTP/2 outbound listener to an HTTP/2-only backend. The client names the
/// service in its address (<c>http://echo:port</c>, so <c>:authority</c> is <c>echo</c>) and connects to the sidecar.
/// </summary>
public class GrpcTests
{
    private static readonly TimeSpan SidecarPerTry = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Unary_IsForwarded_AsHttp2ToTheBackend()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var channel = OutboundGrpc.Channel(sidecar);

        var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "hello" });

        Assert.Equal("hello", reply.Text);
        Assert.Equal("HTTP/2", reply.Protocol);
        Assert.Equal(1, backend.Calls);
    }

    [Fact]
    public async Task ServerStreaming_DeliversEveryMessage_InOrder_ThenTheTrailers()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var channel = OutboundGrpc.Channel(sidecar);
        const int count = 500;

        using var call = new Echo.EchoClient(channel).Count(new CountRequest { Count = count, PayloadBytes = 1024 });
        var numbers = new List<int>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(1024, message.Payload.Length);
            numbers.Add(message.Number);
        }

        Assert.Equal(Enumerable.Range(1, count), numbers);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(EchoService.TrailerValue, call.GetTrailers().GetValue(EchoService.TrailerName));
    }

    [Fact]
    public async Task ResponseTrailer_FromTheBackend_ReachesTheClient()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var channel = OutboundGrpc.Channel(sidecar);

        using var call = new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "t" });
        await call.ResponseAsync;

        Assert.Equal(EchoService.TrailerValue, call.GetTrailers().GetValue(EchoService.TrailerName));
    }

    [Theory]
    [InlineData(StatusCode.FailedPrecondition)]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.PermissionDenied)]
    [InlineData(StatusCode.Internal)]
    public async Task ErrorStatus_ArrivesUnchanged_WithItsTrailers_AndIsNotRetried(StatusCode status)
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var channel = OutboundGrpc.Channel(sidecar);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "x", FailWith = (int)status }));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(EchoService.FailureDetail, error.Status.Detail);
        Assert.Equal(EchoService.TrailerValue, error.Trailers.GetValue(EchoService.TrailerName));
        Assert.Equal(1, backend.Calls);
    }

    [Fact]
    public async Task Unavailable_IsRetriedByTheSidecar_ThenArrivesUnchanged()
    {
        // gRPC's UNAVAILABLE means "not processed", so the sidecar retries it (replaying the small request body).
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var channel = OutboundGrpc.Channel(sidecar);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "x", FailWith = (int)StatusCode.Unavailable }));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(EchoService.FailureDetail, error.Status.Detail);
        Assert.Equal(3, backend.Calls); // 1 + the default 2 retries
    }

    [Fact]
    public async Task Deadline_ReachesTheBackend_NoLaterThanTheCallers()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var channel = OutboundGrpc.Channel(sidecar);
        var budget = TimeSpan.FromSeconds(5);

        var started = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow.Add(budget);
        var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "d" }, deadline: deadline);
        var elapsed = started.Elapsed;

        // The header carries the caller's remaining budget (not the sidecar's own 10 s per-try timeout)...
        Assert.True(DeadlineHeaders.TryParseGrpcTimeout(reply.GrpcTimeout, out var header), $"grpc-timeout: '{reply.GrpcTimeout}'");
        Assert.InRange(header, budget - TimeSpan.FromSeconds(1), budget);

        // ...so the backend's deadline is the caller's. A relative timeout cannot be exact across hops: the backend
        // counts it from when the call reached it, so its deadline may trail the caller's by the time in transit,
        // which is bounded by the call's whole duration.
        Assert.NotEqual(0, reply.DeadlineUtcTicks);
        var backendDeadline = new DateTime(reply.DeadlineUtcTicks, DateTimeKind.Utc);
        Assert.True(backendDeadline <= deadline + elapsed, $"backend deadline {backendDeadline:O} is later than the caller's {deadline:O} + {elapsed}");
        Assert.InRange(TimeSpan.FromTicks(reply.RemainingTicks), TimeSpan.Zero, budget);
    }

    [Fact]
    public async Task ALongDeadline_IsHonouredAsGiven_NotLoweredToThePerTryTimeout()
    {
        // A gRPC call is a POST: a timed-out attempt would not be retried, so the sidecar's per-try timeout (10 s) would
        // only cut short what the caller chose to wait for. The backend sees the caller's five minutes.
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var channel = OutboundGrpc.Channel(sidecar);
        var budget = TimeSpan.FromMinutes(5);

        var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "d" }, deadline: DateTime.UtcNow.Add(budget));

        Assert.True(DeadlineHeaders.TryParseGrpcTimeout(reply.GrpcTimeout, out var header), $"grpc-timeout: '{reply.GrpcTimeout}'");
        Assert.InRange(header, budget - TimeSpan.FromSeconds(5), budget);
        Assert.InRange(TimeSpan.FromTicks(reply.RemainingTicks), SidecarPerTry, budget);
    }

    [Fact]
    public async Task ExpiredDeadline_EndsTheCall_AndCancelsItAtTheBackend()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        using var channel = OutboundGrpc.Channel(sidecar);
        var client = new Echo.EchoClient(channel);
        await client.EchoAsync(new EchoRequest { Text = "warm-up" }); // connections made, so the slow call surely starts

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.EchoAsync(new EchoRequest { Text = "slow", DelayMs = 60_000 }, deadline: DateTime.UtcNow.AddSeconds(1)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await backend.CallCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, backend.Calls);
    }

    private static Task<Sidecar> StartSidecarAsync(GrpcBackend backend) =>
        Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] }));
}
