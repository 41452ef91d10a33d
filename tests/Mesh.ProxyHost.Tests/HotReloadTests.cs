using System.Text.Json;
using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// The configuration file is rewritten while the sidecar runs, as an operator would: endpoints come and go under
/// load without a failed request, and a file that does not parse or does not validate is rejected whole while the
/// last good configuration keeps serving.
/// </summary>
public class HotReloadTests
{
    // File watching is asynchronous (and debounced by the configuration provider): allow it a minute.
    private const int ReloadAttempts = 1200;

    private static string Config(params TestBackend[] backends) =>
        Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = backends.Select(b => b.Url).ToArray() });

    [Fact]
    public async Task EndpointsAddedAndRemovedUnderLoad_TakeAndLeaveTraffic_WithoutAFailedRequest()
    {
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync();
        await using var c = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Config(a, b));
        using var load = new ContinuousLoad(sidecar, loops: 4);
        await Eventually.TrueAsync(() => Task.FromResult(a.Requests + b.Requests >= 100), "the load is flowing");

        await sidecar.RewriteConfigAsync(Config(a, b, c));
        await Eventually.TrueAsync(() => Task.FromResult(c.Requests > 0), "the added endpoint receives traffic", ReloadAttempts);

        await sidecar.RewriteConfigAsync(Config(b, c));
        await Eventually.TrueAsync(() => ContinuousLoad.NoNewRequestsWhileOthersServeAsync(a, b, c), "the removed endpoint gets no new requests", ReloadAttempts);

        var (sent, failures) = await load.StopAsync();
        Assert.True(sent > 0);
        Assert.Empty(failures);
        Assert.Equal("applied", (await ReloadAsync(sidecar)).State);
    }

    [Fact]
    public async Task BrokenOrInvalidFile_IsRejected_AndTheLastGoodKeepsServing_UntilAValidFileIsApplied()
    {
        await using var a = await TestBackend.StartAsync();
        await using var b = await TestBackend.StartAsync();
        var good = Config(a);
        await using var sidecar = await Sidecar.StartAsync(good);
        using var client = sidecar.OutboundClient("orders");
        Assert.Equal(200, (int)(await client.GetAsync("/work")).StatusCode);

        // A file that does not parse.
        await sidecar.RewriteConfigAsync("""{ "Mesh": { "Services": """);
        await Eventually.TrueAsync(async () => (await ReloadAsync(sidecar)) is { State: "rejected", Errors.Count: > 0 }, "the broken file is rejected", ReloadAttempts);
        Assert.Contains((await ReloadAsync(sidecar)).Errors, e => e.Contains("mesh.json", StringComparison.Ordinal));
        await AssertServedByAsync(client, a, b);

        // A file that parses but does not validate, which also moves orders to another endpoint: rejected whole.
        var invalid = Sidecar.Json(
            new Dictionary<string, string[]> { ["orders"] = [b.Url] },
            meshServices: """{ "orders": { "Retry": { "BudgetRatio": 1.5 } } }""");
        await sidecar.RewriteConfigAsync(invalid);
        await Eventually.TrueAsync(
            async () => (await ReloadAsync(sidecar)).Errors.Any(e => e.Contains("Mesh:Services:orders:Retry:BudgetRatio", StringComparison.Ordinal)),
            "the invalid file is rejected naming the key",
            ReloadAttempts);
        Assert.Equal("rejected", (await ReloadAsync(sidecar)).State);
        await AssertServedByAsync(client, a, b);

        // The operator puts the last good file back: the live configuration is valid again.
        await sidecar.RewriteConfigAsync(good);
        await Eventually.TrueAsync(async () => (await ReloadAsync(sidecar)).State == "applied", "the restored file is applied", ReloadAttempts);
        await AssertServedByAsync(client, a, b);

        // And a valid change is applied: orders moves to the other endpoint.
        await sidecar.RewriteConfigAsync(Config(b));
        await Eventually.TrueAsync(async () => (await client.GetAsync("/work")).IsSuccessStatusCode && b.Requests > 0, "the new endpoint serves", ReloadAttempts);
        Assert.Equal("applied", (await ReloadAsync(sidecar)).State);
    }

    private static async Task AssertServedByAsync(HttpClient client, TestBackend serving, TestBackend idle)
    {
        var (before, idleBefore) = (serving.Requests, idle.Requests);
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/work");
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(before + 5, serving.Requests);
        Assert.Equal(idleBefore, idle.Requests);
    }

    private sealed record Reload(string State, IReadOnlyList<string> Errors);

    private static async Task<Reload> ReloadAsync(Sidecar sidecar)
    {
        using var json = JsonDocument.Parse(await sidecar.GetAdminAsync("/config"));
        var reload = json.RootElement.GetProperty("reload");
        return new Reload(
            reload.GetProperty("state").GetString()!,
            reload.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList());
    }
}
