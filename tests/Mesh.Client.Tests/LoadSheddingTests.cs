using Mesh.Client.Tests.Infrastructure;
using Polly.RateLimiting;

namespace Mesh.Client.Tests;

/// <summary>In-process load shedding: over MaxConcurrentRequests, a request is refused at once, and permits come back.</summary>
public class LoadSheddingTests
{
    [Fact]
    public async Task OverTheLimit_IsShedWithoutReachingTheBackend_AndPermitsComeBackWhenRequestsEnd()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseAgain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async ctx =>
        {
            await (ctx.Request.Path == "/hold" ? release.Task : releaseAgain.Task);
        });
        var config = MeshClientHost.EndpointConfig("orders", [backend], new Dictionary<string, string?> { ["Mesh:Services:orders:MaxConcurrentRequests"] = "2" });
        await using var host = await MeshClientHost.StartAsync(config);
        var client = host.CreateClient();

        var held = new[] { client.GetAsync("/hold"), client.GetAsync("/hold") };
        await Eventually.TrueAsync(() => Task.FromResult(backend.Requests == 2), "both admitted requests reached the backend");

        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => client.GetAsync("/shed"));
        Assert.Equal(2, backend.Requests);

        release.SetResult();
        Assert.All(await Task.WhenAll(held), r => Assert.True(r.IsSuccessStatusCode));

        // Exactly the two permits are back: two at once fit again, and a third is shed again.
        var again = new[] { client.GetAsync("/again"), client.GetAsync("/again") };
        await Eventually.TrueAsync(() => Task.FromResult(backend.Requests == 4), "both requests of the second round reached the backend");
        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => client.GetAsync("/shed"));
        releaseAgain.SetResult();
        Assert.All(await Task.WhenAll(again), r => Assert.True(r.IsSuccessStatusCode));
        Assert.Equal(4, backend.Requests);
    }
}
