using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Tap;
using Mesh.Testing.Grpc.Protos;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// What an operator sees of the responses the sidecar makes itself: the status it answered, in the tap (curl reading
/// <c>/tap?status=5xx</c>) and on <c>mesh_requests_total</c>; and the host an unknown-service 404 names, on
/// <c>mesh_proxy_errors_total</c>, bounded.
/// </summary>
/// <remarks>Serial: the tests read counts off <c>/metrics</c>, to which every sidecar in the process contributes.</remarks>
[Collection(SerialCollection.Name)]
public class SidecarAnswerTests
{
    [Fact]
    public async Task ResponsesTheSidecarMakesItself_CarryItsStatus_InTheTapAndInMetrics()
    {
        var release = new TaskCompletionSource();
        await using var hanging = await TestBackend.StartAsync(async ctx => await release.Task.WaitAsync(ctx.RequestAborted));
        var closed = $"http://127.0.0.1:{FreePort.Get()}";
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(
            new Dictionary<string, string[]> { ["down"] = [closed], ["slow"] = [hanging.Url], ["busy"] = [hanging.Url] },
            """{ "empty": { "LoadBalancer": "RoundRobin" }, "busy": { "MaxConcurrentRequests": 1 } }"""));

        // The operator's tap, as README shows it: curl on /tap, the failures only.
        var tapped = Curl.RunAsync("-sN", $"http://127.0.0.1:{sidecar.AdminPort}/tap?status=5xx&limit=4");
        await Eventually.TrueAsync(() => Task.FromResult(sidecar.Services.GetRequiredService<MeshTap>().IsActive), "curl taps");

        Assert.Equal(502, Assert.Single(await Curl.StatusesAsync(sidecar.OutboundPort, "down", "/a", 1)));    // connect-error
        Assert.Equal(503, Assert.Single(await Curl.StatusesAsync(sidecar.OutboundPort, "empty", "/b", 1)));   // no-endpoints
        var expired = await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: slow", "-H", "mesh-timeout-ms: 200", $"http://127.0.0.1:{sidecar.OutboundPort}/c");
        Assert.Equal("504", expired);                                                              // deadline-exceeded
        using var client = sidecar.OutboundClient("busy");
        var held = client.GetAsync("/held");
        await Eventually.TrueAsync(() => Task.FromResult(hanging.Requests == 2), "the held request reaches the backend");
        Assert.Equal(503, Assert.Single(await Curl.StatusesAsync(sidecar.OutboundPort, "busy", "/d", 1)));    // overloaded
        release.SetResult();
        (await held).Dispose();

        var events = (await tapped).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(
            [("down", 502, "/a"), ("empty", 503, "/b"), ("slow", 504, "/c"), ("busy", 503, "/d")],
            events.Select(e => (e.GetProperty("service").GetString(), e.GetProperty("status").GetInt32(), e.GetProperty("path").GetString())));
        Assert.All(events, e => Assert.Equal("failure", e.GetProperty("classification").GetString()));

        // The same status on mesh_requests_total, beside the reason (error.type) it was answered for.
        var text = await Scrape.WithRequestsAsync(sidecar, "mesh_service=\"busy\"", "http_response_status_code=\"503\"");
        foreach (var (service, status, reason) in new[] { ("down", 502, "connect_error"), ("empty", 503, "no_endpoints"), ("slow", 504, "timeout"), ("busy", 503, "overloaded") })
        {
            Assert.Contains(Scrape.Lines(text, "mesh_requests_total{"), line => line.Contains($"mesh_service=\"{service}\"", StringComparison.Ordinal) &&
                line.Contains($"http_response_status_code=\"{status}\"", StringComparison.Ordinal) && line.Contains($"error_type=\"{reason}\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AGrpcCaller_IsAnsweredWithAGrpcStatus_AndThatIsWhatTheTapAndMetricsShow()
    {
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), """{ "echo": { "LoadBalancer": "RoundRobin" } }"""));
        using var tap = sidecar.Services.GetRequiredService<MeshTap>().Subscribe(new TapQuery { Service = "echo" });
        using var channel = GrpcChannel.ForAddress($"http://echo:{sidecar.OutboundHttp2Port}", new GrpcChannelOptions
        {
            HttpHandler = LoopbackConnect.Handler(sidecar.OutboundHttp2Port),
            DisposeHttpClient = true,
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "hi" }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        var tapped = await tap.Events.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, tapped.Status);
        Assert.Equal(14, tapped.GrpcStatus);
        var text = await Scrape.WithRequestsAsync(sidecar, "mesh_service=\"echo\"");
        Assert.Contains(Scrape.Lines(text, "mesh_requests_total{"), line => line.Contains("mesh_service=\"echo\"", StringComparison.Ordinal) &&
            line.Contains("http_response_status_code=\"200\"", StringComparison.Ordinal) && line.Contains("rpc_grpc_status_code=\"14\"", StringComparison.Ordinal) &&
            line.Contains("error_type=\"no_endpoints\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownServiceErrors_NameTheHostAskedFor_BoundedLikeDynamicServices()
    {
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), "--Mesh:DynamicServices:MaxMetricNames=2");

        // Two hosts named, then two more past the bound; the first asked for again keeps its name.
        foreach (var host in new[] { "payments", "billing", "search", "ads", "payments" })
        {
            Assert.Equal(404, Assert.Single(await Curl.StatusesAsync(sidecar.OutboundPort, host, "/", 1)));
        }

        string[] lines = [];
        await Eventually.TrueAsync(
            async () =>
            {
                lines = [.. Scrape.Lines(await sidecar.GetAdminAsync("/metrics"), "mesh_proxy_errors_total{")];
                return lines.Sum(line => int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)) == 5;
            },
            "/metrics counts the five unknown-service errors");
        Assert.Equal(3, lines.Length);
        Assert.All(lines, line => Assert.Contains("mesh_proxy_error=\"unknown-service\"", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("mesh_service=\"payments\"", StringComparison.Ordinal) && line.EndsWith(" 2", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("mesh_service=\"billing\"", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("mesh_service=\"other\"", StringComparison.Ordinal) && line.EndsWith(" 2", StringComparison.Ordinal));
    }
}
