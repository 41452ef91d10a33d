using Mesh.Client.Tests.Infrastructure;
using Mesh.FailureAccrual;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Client.Tests;

/// <summary>Ejection, probation and re-admission over real sockets, with the penalty clock faked.</summary>
public class FailureAccrualTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin",
        ["Mesh:Services:orders:Retry:MaxRetries"] = "0", // one attempt per request, so counts are exact
    };

    /// <summary>A backend whose answer the test switches, and which can hold requests until released.</summary>
    private sealed class Switchable
    {
        private volatile int _status = 503;
        private TaskCompletionSource _gate = CompleteGate();

        public int Status { set => _status = value; }

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public RequestDelegate Handler => async ctx =>
        {
            await _gate.Task;
            ctx.Response.StatusCode = _status;
        };

        private static TaskCompletionSource CompleteGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
        }
    }

    private static Task<(MeshClientHost Host, FakeTimeProvider Time)> StartAsync(params TestBackend[] backends) =>
        StartAsync(MeshClientHost.EndpointConfig("orders", backends, Settings));

    private static async Task<(MeshClientHost Host, FakeTimeProvider Time)> StartAsync(Dictionary<string, string?> configuration, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider();
        var host = await MeshClientHost.StartAsync(configuration, s =>
        {
            s.AddSingleton<TimeProvider>(time);
            services?.Invoke(s);
        });
        return (host, time);
    }

    private static Task<Load.Result> SendAsync(HttpClient client, int count, int concurrency = 1) =>
        Load.SendAsync(count, concurrency, _ => client.GetAsync("/work"));

    [Fact]
    public async Task FailingEndpoint_IsEjected_ProbedWithOneRequest_AndReadmittedAfterRecovery()
    {
        var bad = new Switchable();
        await using var healthy = await TestBackend.StartAsync();
        await using var failing = await TestBackend.StartAsync(bad.Handler);
        var (host, time) = await StartAsync(healthy, failing);
        await using var _ = host;
        var client = host.CreateClient();

        // Round robin sends every other request to the failing endpoint: its fifth failure ejects it.
        await SendAsync(client, 10);
        Assert.Equal(5, failing.Requests);
        await SendAsync(client, 20);
        Assert.Equal(5, failing.Requests);

        // The penalty (1 s ± 20%) ends; still failing, its one probe fails and it is out for 2 s ± 20%.
        time.Advance(TimeSpan.FromSeconds(1.2));
        await SendAsync(client, 10);
        Assert.Equal(6, failing.Requests);
        time.Advance(TimeSpan.FromSeconds(1.2));
        await SendAsync(client, 10);
        Assert.Equal(6, failing.Requests);

        // Recovered: after the longer penalty the probe succeeds and it takes its share again.
        bad.Status = 200;
        time.Advance(TimeSpan.FromSeconds(1.3));
        await SendAsync(client, 21);
        Assert.Equal(6 + 1 + 10, failing.Requests);
    }

    [Fact]
    public async Task ReloadedThreshold_AppliesToTheEndpointsAlreadyKnown_WithTheFailuresCountedSoFar()
    {
        await using var healthy = await TestBackend.StartAsync();
        await using var failing = await TestBackend.StartAsync(status: 503);
        var settings = MeshClientHost.EndpointConfig("orders", [healthy, failing], new Dictionary<string, string?>(Settings) { ["Mesh:Services:orders:FailureAccrual:ConsecutiveFailures"] = "10" });
        var (host, _) = await StartAsync(settings);
        await using var _ = host;
        var client = host.CreateClient();

        // Five failures in a row: under the threshold of 10, the endpoint keeps its share.
        await SendAsync(client, 10);
        Assert.Equal(5, failing.Requests);

        // Lowered to 3 while it runs: the next failure (its sixth in a row) ejects it, and it gets nothing more.
        host.Configuration.Replace(new Dictionary<string, string?>(settings) { ["Mesh:Services:orders:FailureAccrual:ConsecutiveFailures"] = "3" });
        await SendAsync(client, 20);
        Assert.Equal(6, failing.Requests);
    }

    [Fact]
    public async Task CustomPolicy_RegisteredByName_ReplacesTheBuiltInOneOnReload_ForTheEndpointsAlreadyKnown()
    {
        await using var healthy = await TestBackend.StartAsync();
        await using var failing = await TestBackend.StartAsync(status: 503);
        var settings = MeshClientHost.EndpointConfig("orders", [healthy, failing], Settings);
        var (host, _) = await StartAsync(settings, s => s.AddMeshFailureAccrualPolicy("EjectOnFirstFailure", (_, _) => new EjectOnFirstFailure()));
        await using var _ = host;
        var client = host.CreateClient();

        // The built-in policy: two failures in a row are under its 5.
        await SendAsync(client, 4);
        Assert.Equal(2, failing.Requests);

        // Configuration names the custom policy: the endpoint's next failure ejects it.
        host.Configuration.Replace(new Dictionary<string, string?>(settings) { ["Mesh:Services:orders:FailureAccrual:Policy"] = "ejectonfirstfailure" });
        await SendAsync(client, 20);
        Assert.Equal(3, failing.Requests);
    }

    private sealed class EjectOnFirstFailure : IFailureAccrualPolicy
    {
        public void RecordSuccess()
        {
        }

        public string? RecordFailure() => "first_failure";

        public void Reset()
        {
        }
    }

    [Fact]
    public async Task AHundredRequestsReleasedAtOnce_AdmitExactlyOneProbe()
    {
        var bad = new Switchable();
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync();
        await using var failing = await TestBackend.StartAsync(bad.Handler);
        var (host, time) = await StartAsync(a, b, failing);
        await using var _ = host;
        var client = host.CreateClient();
        await SendAsync(client, 15);
        Assert.Equal(5, failing.Requests);

        bad.Hold();
        time.Advance(TimeSpan.FromSeconds(1.2));
        var burst = SendAsync(client, 100, concurrency: 100);
        await Eventually.TrueAsync(() => Task.FromResult(a.Requests + b.Requests >= 5 + 5 + 99), "the other 99 requests are served");
        Assert.Equal(6, failing.Requests);
        bad.Status = 200;
        bad.Release();
        var result = await burst;
        Assert.Equal(100, result.Succeeded);
        Assert.Equal(6, failing.Requests);
    }

    [Fact]
    public async Task EveryEndpointFailing_PanicModeKeepsSendingToAll_InsteadOfFailingFast()
    {
        await using var a = await TestBackend.StartAsync(status: 503);
        await using var b = await TestBackend.StartAsync(status: 503);
        var (host, _) = await StartAsync(a, b);
        await using var __ = host;

        var result = await SendAsync(host.CreateClient(), 40);

        // At most half the endpoints are ejected: the other still gets every request, and the caller sees its 503s.
        Assert.Equal(40, result.FailedResponses);
        Assert.Empty(result.Exceptions);
        Assert.Equal(40, a.Requests + b.Requests);
        Assert.True(Math.Min(a.Requests, b.Requests) == 5, $"a={a.Requests} b={b.Requests}");
    }
}
