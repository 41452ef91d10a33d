using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Client.Tests;

/// <summary>
/// The sidecar's keep-alive race test (Mesh.ProxyHost.Tests.KeepAliveRaceTests) for clients made by AddMeshClient:
/// backends closing idle connections after 2 s, each behind a relay delaying the close by 40 ms, called about when the
/// close comes, GET and a large streamed POST in turn: nothing fails, each POST is processed once. (It failed 1 to 3 of
/// 15 POSTs to the silent server while the pools' idle timeout was taken as SocketsHttpHandler's, whose scavenger lets a
/// connection be reused up to a second past it.)
/// </summary>
public class KeepAliveRaceTests
{
    [Fact]
    public async Task BackendsClosingIdleConnectionsAfter2s_CalledAsTheyClose_FailNothing_AndProcessEachPostOnce()
    {
        await using var backends = await KeepAliveRace.Backends.StartAsync();
        var configuration = backends.Urls.ToDictionary(b => $"Services:{b.Key}:http:0", b => (string?)b.Value);
        configuration["Mesh:Services:node:Upstream:IdleTimeout"] = "00:01:00";
        await using var host = await MeshClientHost.StartAsync(configuration, services => services.AddMeshClient("node").Services.AddMeshClient("kestrel"), service: "go");

        var failures = await KeepAliveRace.RunAgainstAsync((service, method, id) =>
            host.CreateClient(service).SendAsync(KeepAliveRace.Request(method, new Uri($"http://{service}/work"), id)));

        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n{string.Join("\n", failures)}");
        await backends.AssertEachPostProcessedOnceAsync();
    }
}
