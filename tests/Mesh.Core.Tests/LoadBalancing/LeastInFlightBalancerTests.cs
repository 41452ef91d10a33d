using Mesh.LoadBalancing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.LoadBalancing;

public class LeastInFlightBalancerTests
{
    [Fact]
    public void Pick_PrefersFewerRequestsInFlight()
    {
        var endpoints = TestEndpoints.WithRtts(new FakeTimeProvider(), 5, 5);
        endpoints[0].OnAttemptStarted();
        var counts = TestEndpoints.CountPicks(new LeastInFlightBalancer(new Random(1)), endpoints, 500);
        Assert.Equal(500, counts[endpoints[1]]);
    }

    [Fact]
    public void Pick_IgnoresLatency()
    {
        var endpoints = TestEndpoints.WithRtts(new FakeTimeProvider(), 1, 500);
        var counts = TestEndpoints.CountPicks(new LeastInFlightBalancer(new Random(2)), endpoints, 2000);

        // Equal load: ties go to the first drawn, which is uniform.
        Assert.InRange(counts[endpoints[1]], 800, 1200);
    }
}
