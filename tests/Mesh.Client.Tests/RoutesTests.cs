using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Mesh.Client.Tests.Infrastructure;
using Mesh.Testing.Grpc.Protos;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Polly.Timeout;

namespace Mesh.Client.Tests;

/// <summary>
/// <c>Mesh:Services:{s}:Routes:{name}</c> in-process, against real Kestrel backends: the first route a request matches
/// gives it its policy and its <c>mesh.route</c>; requests no route matches keep the service's policy.
/// </summary>
public class RoutesTests
{
    private const string Service = "Mesh:Services:orders:";

    [Fact]
    public async Task PerRouteTimeout_OnAFakeClock_CutsTheRoutesRequestsAtItsTimeout_AndTheOthersAtTheServices()
    {
        var arrived = 0;
        await using var hanging = await TestBackend.StartAsync(async context =>
        {
            Interlocked.Increment(ref arrived);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var config = MeshClientHost.EndpointConfig("orders", [hanging], new Dictionary<string, string?>
        {
            [Service + "Retry:MaxRetries"] = "0",
            [Service + "Routes:reports:Match:PathPrefix"] = "/reports",
            [Service + "Routes:reports:Timeouts:Total"] = "2s",
            [Service + "Routes:reports:Timeouts:PerTry"] = "2s",
        });
        var time = new FakeTimeProvider();
        await using var host = await MeshClientHost.StartAsync(config, s => s.AddSingleton<TimeProvider>(time));
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        var client = host.CreateClient();

        var report = client.GetAsync("/reports/daily");
        var lookup = client.GetAsync("/lookup/1");
        using var withOwnTimeout = new HttpRequestMessage(HttpMethod.Get, "/lookup/2");
        withOwnTimeout.Options.Set(MeshRequestOptions.Timeout, TimeSpan.FromSeconds(1));
        var own = client.SendAsync(withOwnTimeout);
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref arrived) == 3), "the three requests are at the backend");

        // 1 s: the request's own timeout (MeshRequestOptions.Timeout) ends it; 2 s: the route's; 10 s: the service's PerTry.
        // Nothing else can end them: the backend never answers, and only the fake clock moves their timers.
        time.Advance(TimeSpan.FromSeconds(1));
        await TimedOutAsync(own, "the request with its own 1 s timeout");
        Assert.False(report.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        await TimedOutAsync(report, "the reports route's request, at its 2 s");
        Assert.False(lookup.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(7.9));
        Assert.False(lookup.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await TimedOutAsync(lookup, "the unrouted request, at the service's 10 s");

        var routes = requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["mesh.route"]!).Order().ToList();
        Assert.Equal(["default", "default", "reports"], routes);
    }

    [Fact]
    public async Task PostRouteMarkedIdempotent_IsRetried_AnotherPostIsNot()
    {
        var (backend, seen) = await FirstAttemptPerPathFailsAsync();
        await using var _ = backend;
        var config = MeshClientHost.EndpointConfig("orders", [backend], new Dictionary<string, string?>
        {
            [Service + "Routes:create-order:Match:Method"] = "post",
            [Service + "Routes:create-order:Match:Path"] = "/orders",
            [Service + "Routes:create-order:Idempotent"] = "true",
        });
        await using var host = await MeshClientHost.StartAsync(config);
        var client = host.CreateClient();

        using var created = await client.PostAsync("/orders", new StringContent("{}"));
        using var paid = await client.PostAsync("/payments", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(2, seen["/orders"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, paid.StatusCode);
        Assert.Equal(1, seen["/payments"]);
    }

    [Fact]
    public async Task PerRequestOptions_IdempotentRetriesAPost_NoRetryStopsAGet()
    {
        var (backend, seen) = await FirstAttemptPerPathFailsAsync();
        await using var _ = backend;
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [backend]));
        var client = host.CreateClient();

        using var post = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = new StringContent("{}") };
        post.Options.Set(MeshRequestOptions.Idempotent, true);
        using var get = new HttpRequestMessage(HttpMethod.Get, "/items");
        get.Options.Set(MeshRequestOptions.NoRetry, true);

        using var paid = await client.SendAsync(post);
        using var items = await client.SendAsync(get);

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal(2, seen["/payments"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, items.StatusCode);
        Assert.Equal(1, seen["/items"]);
    }

    [Fact]
    public async Task TenThousandDistinctPaths_WithoutATemplate_MakeAtMostTheCapOfRouteValues_WithTheTemplateOne()
    {
        await using var backend = await TestBackend.StartAsync();

        // gRPC calls no route matches are grouped by their path; these paths each name a new "method".
        var untemplated = await RouteValuesOf(backend, []);
        Assert.Equal(100, untemplated.Count(v => v != "other"));
        Assert.Contains("other", untemplated);
        Assert.Equal(101, untemplated.Count);

        var templated = await RouteValuesOf(backend, new() { [Service + "Routes:get-order:Match:Path"] = "/orders/{id}" });
        Assert.Equal(["get-order"], templated);
    }

    [Fact]
    public async Task GrpcCalls_WithoutRoutes_AreGroupedByMethodPath_AndAGrpcRouteMatchesServiceAndMethod()
    {
        await using var backend = await Mesh.Testing.Grpc.GrpcBackend.StartAsync();
        var config = new Dictionary<string, string?>
        {
            ["Services:echo:http:0"] = backend.Url,
            ["Mesh:Services:echo:Routes:count:Match:GrpcService"] = "mesh.tests.Echo",
            ["Mesh:Services:echo:Routes:count:Match:GrpcMethod"] = "Count",
        };
        await using var host = await MeshClientHost.StartAsync(config, service: "echo");
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        using var attempts = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.attempts");
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress("http://echo", new Grpc.Net.Client.GrpcChannelOptions { HttpClient = host.CreateClient("echo") });
        var client = new Echo.EchoClient(channel);

        await client.EchoAsync(new EchoRequest { Text = "hi" });
        await Mesh.Testing.Grpc.StreamCalls.CountAsync(client, new CountRequest { Count = 2 });

        await Eventually.TrueAsync(() => Task.FromResult(requests.GetMeasurementSnapshot().Count == 2), "both calls are recorded");
        Assert.Equal(["/mesh.tests.Echo/Echo", "count"], requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["mesh.route"]!).Order(StringComparer.Ordinal));
        Assert.Equal(["/mesh.tests.Echo/Echo", "count"], attempts.GetMeasurementSnapshot().Select(m => (string)m.Tags["mesh.route"]!).Order(StringComparer.Ordinal));
    }

    private static async Task TimedOutAsync(Task<HttpResponseMessage> request, string what)
    {
        await Eventually.TrueAsync(() => Task.FromResult(request.IsCompleted), $"{what} has ended");
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => request);
    }

    // Sends 10,000 gRPC-typed requests to /orders/0 ... /orders/9999 and returns the mesh.route values they were counted under.
    private static async Task<HashSet<string>> RouteValuesOf(TestBackend backend, Dictionary<string, string?> routes)
    {
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [backend], routes));
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.requests");
        var client = host.CreateClient();
        var result = await Load.SendAsync(10_000, concurrency: 8, i =>
        {
            var content = new ByteArrayContent([0, 0, 0, 0, 0]);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
            return client.PostAsync($"/orders/{i}", content);
        });
        Assert.Equal(10_000, result.Succeeded);

        var measured = requests.GetMeasurementSnapshot();
        Assert.Equal(10_000, measured.Count);
        return measured.Select(m => (string)m.Tags["mesh.route"]!).ToHashSet(StringComparer.Ordinal);
    }

    // A backend whose first request to each path answers 503 and every later one 200, counting requests per path.
    private static async Task<(TestBackend Backend, ConcurrentDictionary<string, int> Seen)> FirstAttemptPerPathFailsAsync()
    {
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var backend = await TestBackend.StartAsync(context =>
        {
            context.Response.StatusCode = seen.AddOrUpdate(context.Request.Path.Value!, 1, static (_, n) => n + 1) == 1 ? 503 : 200;
            return context.Response.WriteAsync("x");
        });
        return (backend, seen);
    }
}
