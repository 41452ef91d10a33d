using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Mesh.Client.Tests.Infrastructure;
using Mesh.Tap;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Mesh.Client.Tests;

public class ObservabilityTests
{
    private static RequestDelegate FailFirstOf(int every)
    {
        var n = 0;
        return ctx =>
        {
            ctx.Response.StatusCode = Interlocked.Increment(ref n) % every == 1 ? 503 : 200;
            return Task.CompletedTask;
        };
    }

    [Fact]
    public async Task Tap_ShowsEachRequestsFate_AndNeverItsSecrets()
    {
        await using var a = await TestBackend.StartAsync(status: 503);
        await using var b = await TestBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a, b], new Dictionary<string, string?> { ["Mesh:Services:orders:LoadBalancer"] = "RoundRobin" }));
        var tap = host.Services.GetRequiredService<MeshTap>();
        using var subscription = tap.Subscribe(new TapQuery());
        var client = host.CreateClient();

        var request = new HttpRequestMessage(HttpMethod.Get, "/orders/42?token=hunter2");
        request.Headers.Authorization = new("Bearer", "hunter2");
        request.Headers.Add("Cookie", "session=hunter2");
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var post = await client.PostAsync("/orders", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        }

        Assert.True(subscription.Events.TryRead(out var get));
        Assert.Equal("/orders/42", get.Path);
        Assert.Equal("orders", get.Authority);
        Assert.Equal(200, get.Status);
        Assert.Equal(["status_503"], get.Retries);
        Assert.Equal(2, get.Attempts.Count);
        Assert.Equal("status_503", get.Attempts[0].Outcome);
        Assert.Equal("ok", get.Attempts[1].Outcome);
        Assert.NotEqual(get.Attempts[0].Endpoint, get.Attempts[1].Endpoint);
        Assert.Equal(get.Attempts[1].Endpoint, get.Endpoint);

        Assert.True(subscription.Events.TryRead(out var postEvent));
        Assert.Equal("failure", postEvent.Classification);
        Assert.Equal("not_retryable", postEvent.RetrySkipped);
        Assert.Empty(postEvent.Retries);

        var json = JsonSerializer.Serialize(new[] { get, postEvent });
        Assert.DoesNotContain("hunter2", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_MatchKnownTraffic_EffectiveVersusActual()
    {
        // Every 4th answer of each endpoint is a 503; GETs are retried, so callers see far fewer failures than attempts.
        await using var a = await TestBackend.StartAsync(FailFirstOf(4));
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [a], new Dictionary<string, string?> { ["Mesh:Services:orders:FailureAccrual:Enabled"] = "false" }));
        var client = host.CreateClient();

        var result = await Load.SendAsync(40, concurrency: 1, _ => client.GetAsync("/work"));

        var registry = host.Services.GetRequiredService<MeshServiceRegistry>();
        var stats = Assert.Single(registry.Snapshot(TimeSpan.FromMinutes(1)));
        Assert.Equal(40, stats.Requests.Count);
        Assert.Equal(a.Requests, stats.Attempts.Count);
        Assert.Equal((double)result.Succeeded / 40, stats.Requests.SuccessRate!.Value, 6);
        Assert.Equal((double)(a.Requests - (a.Requests + 3) / 4) / a.Requests, stats.Attempts.SuccessRate!.Value, 6);
        Assert.True(stats.Requests.SuccessRate > stats.Attempts.SuccessRate);
        Assert.Equal((a.Requests - 40) / 60.0, stats.RetriesPerSecond["status_503"], 6);
        var endpoint = Assert.Single(stats.Endpoints);
        Assert.Equal("ready", endpoint.State);
        Assert.Equal(a.Requests, endpoint.Traffic.Count);
        Assert.NotNull(stats.Requests.P99);
    }

    [Fact]
    public async Task Spans_OnePerRequestAndPerAttempt_AndTheEndpointSeesTheAttemptAsParent()
    {
        var traceparents = new ConcurrentQueue<string>();
        var n = 0;
        await using var backend = await TestBackend.StartAsync(ctx =>
        {
            traceparents.Enqueue(ctx.Request.Headers.TraceParent.ToString());
            ctx.Response.StatusCode = Interlocked.Increment(ref n) == 1 ? 503 : 200;
            return Task.CompletedTask;
        });
        // Spans end on many threads, other tests' among them: collected into a thread-safe queue, not a List.
        var spans = new ConcurrentQueue<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("Mesh").AddProcessor(new CollectingProcessor(spans)).Build();
        // A service name of its own: the listener sees every test's spans in this process.
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("traced", [backend]), service: "traced");

        using (var response = await host.CreateClient("traced").GetAsync("/work"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        tracing!.ForceFlush();
        var request = Assert.Single(spans.ToArray(), s => s.OperationName == "mesh.request" && (string?)s.GetTagItem("mesh.service") == "traced");
        var attempts = spans.ToArray().Where(s => s.OperationName == "mesh.attempt" && s.ParentSpanId == request.SpanId).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(2, attempts[1].GetTagItem("mesh.attempt"));
        Assert.Equal("status_503", attempts[1].GetTagItem("mesh.retry.reason"));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Contains(request.Events, e => e.Name == "retry");

        // Each attempt reached the endpoint in the request's trace (as a child of the attempt, or of the HTTP client span under it).
        var seen = traceparents.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.All(seen, tp => Assert.StartsWith($"00-{request.TraceId.ToHexString()}-", tp, StringComparison.Ordinal));
        Assert.NotEqual(seen[0], seen[1]);
    }

    [Fact]
    public async Task InProcessApp_ExposesTheAdminEndpoints_ToLoopbackCallers()
    {
        await using var orders = await TestBackend.StartAsync();
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Configuration["Services:orders:http:0"] = orders.Url;
        builder.Services.AddMeshClient("orders");
        builder.Services.AddMeshAdmin();
        await using var app = builder.Build();
        app.MapMeshAdmin();
        app.MapGet("/call", async (IHttpClientFactory clients) => (int)(await clients.CreateClient("orders").GetAsync("/work")).StatusCode);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        using var tapResponse = await http.GetAsync("/mesh/tap?service=orders&limit=1", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("application/x-ndjson", tapResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal("200", await http.GetStringAsync("/call"));
        using var reader = new StreamReader(await tapResponse.Content.ReadAsStreamAsync());
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await reader.ReadLineAsync(bounded.Token);
        using var tapped = JsonDocument.Parse(line!);
        Assert.Equal("orders", tapped.RootElement.GetProperty("service").GetString());
        Assert.Equal(200, tapped.RootElement.GetProperty("status").GetInt32());

        using var stats = JsonDocument.Parse(await http.GetStringAsync("/mesh/stats"));
        var service = stats.RootElement.GetProperty("services")[0];
        Assert.Equal("orders", service.GetProperty("service").GetString());
        Assert.Equal(1, service.GetProperty("requests").GetProperty("count").GetInt32());
        Assert.Contains("mesh_requests_total", await http.GetStringAsync("/mesh/metrics"), StringComparison.Ordinal);
        Assert.Contains("<title>Mesh dashboard</title>", await http.GetStringAsync("/mesh/"), StringComparison.Ordinal);
        Assert.Contains("<title>Mesh dashboard</title>", await http.GetStringAsync("/mesh"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/mesh/tap?status=9xx")).StatusCode);
    }

    [Fact]
    public async Task InsideAnAspNetCoreRequest_SpansContinueTheCallersTrace_OrStartOne_EvenWhenAspNetCoreIsNotTraced()
    {
        await using var orders = await TestBackend.StartAsync();
        // Spans end on many threads, other tests' among them: collected into a thread-safe queue, not a List.
        var spans = new ConcurrentQueue<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("Mesh").AddProcessor(new CollectingProcessor(spans)).Build();
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);

        // Logging on (ASP.NET Core then makes an activity per request, which nobody records here).
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Configuration["Services:traced2:http:0"] = orders.Url;
        builder.Services.AddMeshClient("traced2");
        await using var app = builder.Build();
        app.MapGet("/call", async (IHttpClientFactory clients) => (int)(await clients.CreateClient("traced2").GetAsync("/work")).StatusCode);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        Assert.Equal("200", await http.GetStringAsync("/call"));
        var withParent = new HttpRequestMessage(HttpMethod.Get, "/call");
        withParent.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        (await http.SendAsync(withParent)).EnsureSuccessStatusCode();

        tracing!.ForceFlush();
        var requests = spans.ToArray().Where(s => s.OperationName == "mesh.request" && (string?)s.GetTagItem("mesh.service") == "traced2").ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(default, requests[0].ParentSpanId);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", requests[1].TraceId.ToHexString());
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("169.254.169.254", false)]
    public void AdminLoopbackPredicate(string address, bool loopback)
    {
        Assert.Equal(loopback, MeshAdminExtensions.IsLoopback(IPAddress.Parse(address)));
    }
}
