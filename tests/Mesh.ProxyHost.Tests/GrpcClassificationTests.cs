using System.Diagnostics.Metrics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Tap;
using Mesh.Telemetry;
using Mesh.Testing.Grpc;
using Mesh.Testing.Grpc.Protos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// gRPC calls through the sidecar are judged by the status the server sent, in the trailers of a stream as in a
/// trailers-only answer: metrics (<c>rpc.grpc.status_code</c>), failure accrual and the balancer see it. Real
/// Grpc.AspNetCore servers; callers: Grpc.Net.Client and Debian's python3-grpcio.
/// </summary>
public class GrpcClassificationTests
{
    private const string OneAttemptEach = """{ "echo": { "LoadBalancer": "RoundRobin", "Retry": { "MaxRetries": 0 } } }""";

    [Fact]
    public async Task StreamsEndingWithUnavailableInTheirTrailers_AreFailures_AndFiveInARowEjectTheEndpoint()
    {
        await using var failing = await GrpcBackend.StartAsync();
        await using var healthy = await GrpcBackend.StartAsync();
        failing.FailWith = StatusCode.Unavailable;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [failing.Url, healthy.Url] }, OneAttemptEach),
            s => s.AddSingleton<TimeProvider>(time));
        using var requests = new MetricCollector<long>(sidecar.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.Requests);
        using var channel = OutboundGrpc.Channel(sidecar);
        var client = new Echo.EchoClient(channel);

        var unavailable = 0;
        for (var i = 0; i < 20; i++)
        {
            var (replies, status) = await StreamCalls.CountAsync(client, new CountRequest { Count = 1 });
            Assert.Equal(1, replies);
            unavailable += status == StatusCode.Unavailable ? 1 : 0;
        }

        // With the status unseen, round robin gave the failing endpoint every other call; seen, its fifth failure in a row
        // ejects it (the clock is fake: no probe comes back).
        Assert.Equal(5, failing.Calls);
        Assert.Equal(15, healthy.Calls);
        Assert.Equal(5, unavailable);
        var outbound = requests.GetMeasurementSnapshot().Where(m => (string)m.Tags[MeshInstruments.DirectionTag]! == "outbound").ToList();
        Assert.Equal(5, outbound.Count(m => (string)m.Tags[MeshInstruments.ClassificationTag]! == "failure" && (int)m.Tags[MeshInstruments.GrpcStatusCodeTag]! == 14));
        Assert.Equal(15, outbound.Count(m => (string)m.Tags[MeshInstruments.ClassificationTag]! == "success" && (int)m.Tags[MeshInstruments.GrpcStatusCodeTag]! == 0));
        Assert.Contains("rpc_grpc_status_code=\"14\"", await sidecar.GetAdminAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonGrpcio_StreamsStatuses_AreCountedCallByCall_AsTheServerSentThem()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] }, OneAttemptEach));
        using var requests = new MetricCollector<long>(sidecar.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.Requests);
        using var tap = sidecar.Services.GetRequiredService<MeshTap>().Subscribe(new TapQuery { Direction = "outbound", Rate = 1000 });
        int[] sent = [0, 14, 5, 13, 4, 0, 7];

        var lines = await PythonAsync(sidecar.OutboundHttp2Port, "echo", sent);

        // grpcio got one reply, then the status the server sent, for every call...
        Assert.Equal(["1 OK", "1 UNAVAILABLE", "1 NOT_FOUND", "1 INTERNAL", "1 DEADLINE_EXCEEDED", "1 OK", "1 PERMISSION_DENIED"], lines);

        // ...and the sidecar counted each call by that status, failures being UNAVAILABLE, INTERNAL and DEADLINE_EXCEEDED.
        var measured = requests.GetMeasurementSnapshot()
            .Where(m => (string)m.Tags[MeshInstruments.DirectionTag]! == "outbound")
            .Select(m => ((int)m.Tags[MeshInstruments.GrpcStatusCodeTag]!, (string)m.Tags[MeshInstruments.ClassificationTag]!))
            .ToList();
        Assert.Equal(sent.Select(s => (s, s is 14 or 13 or 4 ? "failure" : "success")), measured);

        // The tap shows each call's status too (mesh tap, the dashboard).
        var tapped = new List<int?>();
        while (tapped.Count < sent.Length && await tap.Events.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            tapped.Add((await tap.Events.ReadAsync()).GrpcStatus);
        }

        Assert.Equal(sent.Select(s => (int?)s), tapped);
    }

    private static async Task<string[]> PythonAsync(int port, string authority, int[] statuses)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Interop", "grpc_stream_client.py");
        var output = await ExternalProcess.RunAsync("/usr/bin/python3", [script, port.ToString(CultureInfo.InvariantCulture), authority, .. statuses.Select(s => s.ToString(CultureInfo.InvariantCulture))]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
