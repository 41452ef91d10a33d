using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Client.Tests.Infrastructure;
using Mesh.Testing.Grpc;
using Mesh.Testing.Grpc.Protos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Client.Tests;

/// <summary>
/// gRPC calls through a client made by AddMeshClient are judged by their gRPC status, from the trailers when it comes
/// there (after the headers, after messages), as the servers sent it: in mesh.requests and mesh.attempts
/// (<c>rpc.grpc.status_code</c>), in failure accrual and in retries. Real Grpc.AspNetCore servers, Grpc.Net.Client.
/// </summary>
public class GrpcClassificationTests
{
    private static readonly Dictionary<string, string?> OneAttemptEach = new()
    {
        ["Mesh:Services:echo:LoadBalancer"] = "RoundRobin",
        ["Mesh:Services:echo:Retry:MaxRetries"] = "0",
    };

    [Fact]
    public async Task StreamsEndingWithUnavailableInTheirTrailers_AreFailures_AndFiveInARowEjectTheEndpoint()
    {
        await using var failing = await GrpcBackend.StartAsync();
        await using var healthy = await GrpcBackend.StartAsync();
        failing.FailWith = StatusCode.Unavailable;
        await using var host = await StartAsync([failing, healthy], OneAttemptEach);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meters, "Mesh", "mesh.requests");
        using var attempts = new MetricCollector<long>(meters, "Mesh", "mesh.attempts");
        using var channel = Channel(host);
        var client = new Echo.EchoClient(channel);

        var seen = new List<StatusCode>();
        for (var i = 0; i < 20; i++)
        {
            var (replies, status) = await StreamCalls.CountAsync(client, new CountRequest { Count = 1 });

            // Every stream delivered its message, the failing ones included: classification holds nothing back.
            Assert.Equal(1, replies);
            seen.Add(status);
        }

        // Round robin alternates until the failing endpoint's fifth failure in a row ejects it (the clock is fake: no
        // probe comes back); with the status unseen, it took every other call.
        Assert.Equal(5, failing.Calls);
        Assert.Equal(15, healthy.Calls);
        Assert.Equal(5, seen.Count(s => s == StatusCode.Unavailable));
        var failed = requests.GetMeasurementSnapshot().Where(m => (string)m.Tags["mesh.classification"]! == "failure").ToList();
        Assert.Equal(5, failed.Count);
        Assert.All(failed, m => Assert.Equal(14, m.Tags["rpc.grpc.status_code"]));
        Assert.Equal(15, requests.GetMeasurementSnapshot().Count(m => (string)m.Tags["mesh.classification"]! == "success" && (int)m.Tags["rpc.grpc.status_code"]! == 0));
        Assert.Equal(5, attempts.GetMeasurementSnapshot().Count(m => (string)m.Tags["mesh.endpoint"]! == new Uri(failing.Url).Authority && (int)m.Tags["rpc.grpc.status_code"]! == 14));
    }

    [Fact]
    public async Task EachCallsStatus_IsTheOneTheServerSent_InHeadersOrTrailers()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var host = await StartAsync([backend], OneAttemptEach);
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        using var channel = Channel(host);
        var client = new Echo.EchoClient(channel);
        StatusCode[] sent = [StatusCode.OK, StatusCode.Unavailable, StatusCode.NotFound, StatusCode.Internal, StatusCode.DeadlineExceeded, StatusCode.OK, StatusCode.PermissionDenied];

        var expected = new List<(int Status, string Classification)>();
        foreach (var status in sent)
        {
            // A stream: one message, then the status in the trailers.
            Assert.Equal(status, await StreamStatusAsync(client, status));
            expected.Add(((int)status, ExpectedClassification(status)));

            // A unary call failing before its message: the status in a trailers-only response.
            if (status != StatusCode.OK)
            {
                var error = await Assert.ThrowsAsync<RpcException>(async () => await client.EchoAsync(new EchoRequest { FailWith = (int)status }));
                Assert.Equal(status, error.StatusCode);
                expected.Add(((int)status, ExpectedClassification(status)));
            }
        }

        var measured = requests.GetMeasurementSnapshot()
            .Select(m => ((int)m.Tags["rpc.grpc.status_code"]!, (string)m.Tags["mesh.classification"]!))
            .ToList();
        Assert.Equal(expected, measured);
    }

    [Fact]
    public async Task ATrailersOnlyUnavailable_IsRetried_AndTheCallerGetsTheOtherEndpointsAnswer()
    {
        await using var failing = await GrpcBackend.StartAsync();
        await using var healthy = await GrpcBackend.StartAsync();
        await using var host = await StartAsync([failing, healthy], new() { ["Mesh:Services:echo:LoadBalancer"] = "RoundRobin" }, fakeClock: false);
        using var channel = Channel(host);
        var client = new Echo.EchoClient(channel);

        // UNAVAILABLE, trailers-only, before any message: not processed, so it is retried, on the other endpoint.
        failing.FailWith = StatusCode.Unavailable;
        failing.FailTrailersOnly = true;
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("x", (await client.EchoAsync(new EchoRequest { Text = "x" })).Text);
        }

        Assert.InRange(failing.Calls, 1, 4);
        Assert.Equal(4, healthy.Calls);
    }

    [Fact]
    public async Task AStreamsFirstMessage_ArrivesWhileTheStreamIsOpen_AndACancelledStreamIsNotChargedToTheEndpoint()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var host = await StartAsync([backend], OneAttemptEach);
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        using var channel = Channel(host);
        using var cancel = new CancellationTokenSource();

        using (var call = new Echo.EchoClient(channel).Count(new CountRequest { Count = 2, HoldAfterFirst = true }, cancellationToken: cancel.Token))
        {
            // The server holds the stream open after its first message until the call is cancelled: the message must
            // reach the caller now, not when the stream's status is known.
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(1, call.ResponseStream.Current.Number);
            Assert.Empty(requests.GetMeasurementSnapshot());
            await cancel.CancelAsync();
        }

        await Eventually.TrueAsync(() => Task.FromResult(requests.GetMeasurementSnapshot().Count == 1), "the cancelled stream was recorded");
        var stats = host.Services.GetRequiredService<MeshServiceRegistry>().Get("echo").Recorder.Snapshot(TimeSpan.FromMinutes(1));
        Assert.Equal(0, Assert.Single(stats.Endpoints).Traffic.Count);
    }

    // The statuses Mesh counts as failures (README "Classification"); NOT_FOUND, PERMISSION_DENIED are the service's answers.
    private static string ExpectedClassification(StatusCode status) =>
        status is StatusCode.Unavailable or StatusCode.Internal or StatusCode.DeadlineExceeded ? "failure" : "success";

    private static async Task<StatusCode> StreamStatusAsync(Echo.EchoClient client, StatusCode status)
    {
        var (replies, ended) = await StreamCalls.CountAsync(client, new CountRequest { Count = 1, FailWith = (int)status });
        Assert.Equal(1, replies);
        return ended;
    }

    // The fake clock keeps an ejected endpoint ejected (no probe) for as long as a test runs; a test that retries runs on
    // the real one, since a retry's backoff waits on the clock.
    private static Task<MeshClientHost> StartAsync(GrpcBackend[] backends, Dictionary<string, string?> settings, bool fakeClock = true)
    {
        var configuration = new Dictionary<string, string?>(settings);
        for (var i = 0; i < backends.Length; i++)
        {
            configuration[$"Services:echo:http:{i}"] = backends[i].Url;
        }

        return MeshClientHost.StartAsync(configuration, fakeClock ? s => s.AddSingleton<TimeProvider>(new FakeTimeProvider()) : null, service: "echo");
    }

    private static GrpcChannel Channel(MeshClientHost host) =>
        GrpcChannel.ForAddress("http://echo", new GrpcChannelOptions { HttpClient = host.CreateClient("echo") });
}
