using Grpc.Core;
using Mesh.Client.Tests.Infrastructure;
using Mesh.Testing.Grpc;
using Mesh.Testing.Grpc.Protos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Client.Tests.ClientFactory;

/// <summary>
/// A gRPC client from Grpc.Net.ClientFactory (<c>AddGrpcClient&lt;T&gt;()</c>, the typed client an application
/// injects) with <c>.AddMesh()</c>, against two real Grpc.AspNetCore servers: unary and server-streaming calls balanced
/// over both; with one failing, its calls retried on the other and it ejected, as for HTTP.
/// </summary>
public class GrpcClientFactoryTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnaryAndStreamingCalls_AreBalancedOverBothServers(bool serviceFromHost)
    {
        await using var server1 = await GrpcBackend.StartAsync();
        await using var server2 = await GrpcBackend.StartAsync();
        await using var host = await StartAsync([server1, server2], new() { ["Mesh:Services:echo:LoadBalancer"] = "RoundRobin" }, serviceFromHost);
        var client = host.Services.GetRequiredService<Echo.EchoClient>();

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal($"hello {i}", (await client.EchoAsync(new EchoRequest { Text = $"hello {i}" })).Text);
            Assert.Equal((3, StatusCode.OK), await StreamCalls.CountAsync(client, new CountRequest { Count = 3 }));
        }

        Assert.Equal(12, server1.Calls + server2.Calls);
        Assert.True(server1.Calls > 0 && server2.Calls > 0, $"{server1.Calls} and {server2.Calls}: Mesh did not balance");
    }

    [Fact]
    public async Task UnaryCalls_ToAFailingServer_AreRetriedOnTheOther_AndItIsEjectedAfterFive()
    {
        await using var failing = await GrpcBackend.StartAsync();
        await using var healthy = await GrpcBackend.StartAsync();
        failing.FailWith = StatusCode.Unavailable;
        failing.FailTrailersOnly = true;

        // The real clock, since a retry's backoff waits on it; an ejection long enough not to end during the test.
        await using var host = await StartAsync([failing, healthy], new()
        {
            ["Mesh:Services:echo:LoadBalancer"] = "RoundRobin",
            ["Mesh:Services:echo:FailureAccrual:BaseEjectionTime"] = "10m",
            ["Mesh:Services:echo:FailureAccrual:MaxEjectionTime"] = "10m",
        }, serviceFromHost: true, fakeClock: false);
        var client = host.Services.GetRequiredService<Echo.EchoClient>();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("x", (await client.EchoAsync(new EchoRequest { Text = "x" })).Text);
        }

        // Every call succeeded on the healthy server; the failing one took a call every other turn until its fifth
        // failure in a row ejected it, then none.
        Assert.Equal(20, healthy.Calls);
        Assert.Equal(5, failing.Calls);
    }

    [Fact]
    public async Task StreamsEndingUnavailable_CountAsFailures_AndFiveInARowEjectTheServer()
    {
        await using var failing = await GrpcBackend.StartAsync();
        await using var healthy = await GrpcBackend.StartAsync();
        failing.FailWith = StatusCode.Unavailable;
        await using var host = await StartAsync([failing, healthy], new()
        {
            ["Mesh:Services:echo:LoadBalancer"] = "RoundRobin",
            ["Mesh:Services:echo:Retry:MaxRetries"] = "0",
        }, serviceFromHost: false);
        var client = host.Services.GetRequiredService<Echo.EchoClient>();

        var statuses = new List<StatusCode>();
        for (var i = 0; i < 20; i++)
        {
            var (replies, status) = await StreamCalls.CountAsync(client, new CountRequest { Count = 1 });
            Assert.Equal(1, replies);
            statuses.Add(status);
        }

        // A stream that has delivered messages is not retried: its failure is the caller's to see, and the server's to
        // be charged with. The fake clock brings no probe back.
        Assert.Equal(5, statuses.Count(s => s == StatusCode.Unavailable));
        Assert.Equal((5, 15), (failing.Calls, healthy.Calls));
    }

    private static Task<MeshClientHost> StartAsync(GrpcBackend[] servers, Dictionary<string, string?> settings, bool serviceFromHost, bool fakeClock = true)
    {
        var configuration = new Dictionary<string, string?>(settings);
        for (var i = 0; i < servers.Length; i++)
        {
            configuration[$"Services:echo:http:{i}"] = servers[i].Url;
        }

        return MeshClientHost.StartAsync(configuration, services =>
        {
            if (fakeClock)
            {
                services.AddSingleton<TimeProvider>(new FakeTimeProvider());
            }

            var client = services.AddGrpcClient<Echo.EchoClient>(static o => o.Address = new Uri("http://echo"));
            _ = serviceFromHost ? client.AddMesh() : client.AddMesh("echo");
        }, service: null);
    }
}
