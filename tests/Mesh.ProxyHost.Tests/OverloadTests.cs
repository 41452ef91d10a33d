using System.Collections.Concurrent;
using System.Text.Json;
using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>Bounded upstream work: a hanging service cannot make the sidecar hold unbounded requests or sockets.</summary>
public class OverloadTests
{
    [Fact]
    public async Task HangingBackend_ThousandConcurrentRequests_OverflowIsShedAtOnce_AndNothingLeaksAfterRelease()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = new ConcurrentDictionary<string, byte>();
        await using var backend = await TestBackend.StartAsync(async ctx =>
        {
            connections.TryAdd(ctx.Connection.Id, 0);
            await release.Task;
        });
        var json = Sidecar.Json(new Dictionary<string, string[]> { ["slow"] = [backend.Url] }, meshServices: """{ "slow": { "MaxConcurrentRequests": 40, "Retry": { "MaxRetries": 0 }, "Timeouts": { "Total": "2m", "PerTry": "2m" } } }""");
        await using var sidecar = await Sidecar.StartAsync(json);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 2000 }) { BaseAddress = sidecar.Outbound, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Host = "slow";

        var requests = Enumerable.Range(0, 1000).Select(async _ =>
        {
            using var response = await client.GetAsync("/hang");
            return ((int)response.StatusCode, response.Headers.TryGetValues("mesh-proxy-error", out var e) ? e.Single() : "", response.Headers.ConnectionClose == true);
        }).ToList();

        // Everything over the limit is answered while the admitted requests still hang (their timeouts are long enough
        // that a slow machine opening 1000 connections does not see them end first).
        await Eventually.TrueAsync(() => Task.FromResult(requests.Count(t => t.IsCompleted) == 960), "960 requests are shed while 40 hang");
        Assert.All(requests.Where(t => t.IsCompleted), t => Assert.Equal((503, "overloaded", true), t.Result));
        Assert.Equal(40, backend.Requests);
        Assert.True(connections.Count <= 40, $"{connections.Count} upstream connections");

        release.SetResult();
        var results = await Task.WhenAll(requests);
        Assert.Equal(40, results.Count(r => r.Item1 == 200));

        // Recovered: new requests are admitted again, and nothing is left in flight.
        using (var after = await client.GetAsync("/again"))
        {
            Assert.Equal(200, (int)after.StatusCode);
        }

        using var stats = JsonDocument.Parse(await sidecar.GetAdminAsync("/stats"));
        var endpoint = stats.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service").GetString() == "slow").GetProperty("endpoints")[0];
        Assert.Equal(0, endpoint.GetProperty("in_flight").GetInt32());
    }

    [Fact]
    public async Task LinkLocalAndMetadataAddresses_AreNeverForwarded_EvenWithUnknownHostsAllowed()
    {
        var json = Sidecar.Json(new Dictionary<string, string[]>())
            .Replace("\"Outbound\": { \"Listen\": \"127.0.0.1:0\",", "\"Outbound\": { \"AllowUnknownHosts\": true, \"Listen\": \"127.0.0.1:0\",", StringComparison.Ordinal);
        await using var sidecar = await Sidecar.StartAsync(json);

        foreach (var host in new[] { "169.254.169.254", "169.254.169.254:80", "[fe80::1]:80", "[::ffff:169.254.169.254]" })
        {
            var response = await RawHttp.SendAsync(sidecar.OutboundPort, $"GET /latest/meta-data/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            Assert.Equal(403, RawHttp.Status(response));
            Assert.Contains("mesh-proxy-error: forbidden-address", response, StringComparison.OrdinalIgnoreCase);
        }
    }
}
