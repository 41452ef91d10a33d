using System.Diagnostics.Metrics;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Client.Tests;

/// <summary>
/// An endpoint's 429, or 503 with <c>Retry-After</c>: balanced around until the time it names, never ejected for it;
/// a 503 without <c>Retry-After</c> stays an ordinary failure. Real Kestrel backends, through <c>AddMeshClient</c>.
/// </summary>
public class BackpressureTests
{
    /// <summary>A backend answering <see cref="Status"/> with <c>Retry-After: 2</c>, or 200 once switched.</summary>
    private sealed class PushingBack(int status)
    {
        private volatile bool _recovered;

        public void Recover() => _recovered = true;

        public RequestDelegate Handler => ctx =>
        {
            if (_recovered)
            {
                return Task.CompletedTask;
            }

            ctx.Response.StatusCode = status;
            ctx.Response.Headers.RetryAfter = "2";
            return Task.CompletedTask;
        };
    }

    private static Task<Load.Result> SendAsync(HttpClient client, int count) =>
        Load.SendAsync(count, concurrency: 1, _ => client.GetAsync("/work"));

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task RetryAfterTwo_TheEndpointGetsAtMostOneRequestPerTwoSeconds_AndIsNeverEjected(int status)
    {
        var pushing = new PushingBack(status);
        await using var healthy = await TestBackend.StartAsync();
        await using var loaded = await TestBackend.StartAsync(pushing.Handler);
        var time = new FakeTimeProvider();
        var settings = MeshClientHost.EndpointConfig("orders", [healthy, loaded], new Dictionary<string, string?>
        {
            ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin", // without backpressure: every other request
            ["Mesh:Services:orders:Retry:MaxRetries"] = "0",      // one attempt per request, so counts are exact
        });
        await using var host = await MeshClientHost.StartAsync(settings, s => s.AddSingleton<TimeProvider>(time));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var ejections = new MetricCollector<long>(meters, "Mesh", "mesh.endpoint.ejections");
        using var backpressure = new MetricCollector<long>(meters, "Mesh", "mesh.endpoint.backpressure");
        using var endpoints = new MetricCollector<int>(meters, "Mesh", "mesh.endpoints");
        var client = host.CreateClient();

        // Its first answer asks for two seconds: the 19 requests after it all go to the other endpoint.
        await SendAsync(client, 20);
        Assert.Equal(1, loaded.Requests);
        Assert.Equal(19, healthy.Requests);
        Assert.Equal(1, State(endpoints, "loaded"));
        Assert.Equal(1, State(endpoints, "ready"));

        // Still within the two seconds: nothing more. Then one request per two seconds while it keeps asking, seven
        // windows in all (an ordinary 503 would have ejected it at its fifth), and never a probe or an ejection.
        time.Advance(TimeSpan.FromMilliseconds(1999));
        await SendAsync(client, 20);
        Assert.Equal(1, loaded.Requests);
        for (var window = 2; window <= 7; window++)
        {
            time.Advance(TimeSpan.FromSeconds(2));
            await SendAsync(client, 20);
            Assert.Equal(window, loaded.Requests);
        }

        Assert.Empty(ejections.GetMeasurementSnapshot());
        Assert.Equal(0, State(endpoints, "ejected") + State(endpoints, "probing"));
        var measured = backpressure.GetMeasurementSnapshot();
        Assert.Equal(7, measured.Sum(m => m.Value));
        Assert.All(measured, m =>
        {
            Assert.Equal(status, m.Tags["http.response.status_code"]);
            Assert.Equal(new Uri(loaded.Url).Authority, m.Tags["mesh.endpoint"]);
        });

        // Recovered: once its last two seconds are over it takes its share again, every other request.
        pushing.Recover();
        time.Advance(TimeSpan.FromSeconds(2));
        await SendAsync(client, 20);
        Assert.Equal(7 + 10, loaded.Requests);
        Assert.Equal(2, State(endpoints, "ready"));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task ARetryAfterBackpressure_GoesToAnotherEndpoint_AndLaterRequestsSpareTheEndpointToo(int status)
    {
        // Real clock: Retry-After 30 s (cap 1 min) outlasts the test however slow the machine is.
        await using var loaded = await TestBackend.StartAsync(FaultyHandlers.PushingBack(status, retryAfterSeconds: 30));
        await using var b = await TestBackend.StartAsync();
        await using var c = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [loaded, b, c], new Dictionary<string, string?>
        {
            ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin", // the first request goes to the first endpoint
            ["Mesh:Services:orders:Retry:MaxRetryAfter"] = "10ms",
            ["Mesh:Services:orders:Backpressure:MaxDuration"] = "1m",
        }));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var attempts = new MetricCollector<long>(meters, "Mesh", "mesh.attempts");
        using var retries = new MetricCollector<long>(meters, "Mesh", "mesh.retries");
        var client = host.CreateClient();

        var result = await SendAsync(client, 30);

        // Every caller got a 200: the one request the endpoint pushed back was retried on another, and no later request
        // went to it (without backpressure it would have had a third of them, each retried).
        Assert.Equal(30, result.Succeeded);
        Assert.Equal(1, loaded.Requests);
        Assert.Equal(30, b.Requests + c.Requests);
        var retry = Assert.Single(retries.GetMeasurementSnapshot());
        Assert.Equal($"status_{status}", retry.Tags["mesh.retry.reason"]);
        var pushedBack = Assert.Single(attempts.GetMeasurementSnapshot(), m => (int)m.Tags["http.response.status_code"]! == status);
        Assert.Equal(new Uri(loaded.Url).Authority, pushedBack.Tags["mesh.endpoint"]);
    }

    [Fact]
    public async Task A503WithoutRetryAfter_KeepsTodaysBehaviour_RetriedElsewhere_AndEjectedAfterFiveFailures()
    {
        await using var failing = await TestBackend.StartAsync(FaultyHandlers.PushingBack(503, retryAfterSeconds: null));
        await using var b = await TestBackend.StartAsync();
        await using var c = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [failing, b, c], new Dictionary<string, string?>
        {
            ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin",
        }));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var ejections = new MetricCollector<long>(meters, "Mesh", "mesh.endpoint.ejections");
        using var backpressure = new MetricCollector<long>(meters, "Mesh", "mesh.endpoint.backpressure");
        var client = host.CreateClient();

        var result = await SendAsync(client, 30);

        // Its share of requests until its fifth failure in a row ejects it, each retried on another endpoint.
        Assert.Equal(30, result.Succeeded);
        Assert.Equal(5, failing.Requests);
        Assert.Equal("consecutive_failures", Assert.Single(ejections.GetMeasurementSnapshot()).Tags["mesh.ejection.reason"]);
        Assert.Empty(backpressure.GetMeasurementSnapshot());
    }

    private static int State(MetricCollector<int> endpoints, string state)
    {
        endpoints.RecordObservableInstruments();
        return endpoints.GetMeasurementSnapshot().Last(m => (string)m.Tags["mesh.endpoint.state"]! == state).Value;
    }
}
