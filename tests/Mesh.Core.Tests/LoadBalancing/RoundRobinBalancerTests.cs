using Mesh.LoadBalancing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.LoadBalancing;

public class RoundRobinBalancerTests
{
    [Fact]
    public void Pick_CyclesThroughEndpointsInOrder()
    {
        var endpoints = TestEndpoints.WithRtts(new FakeTimeProvider(), 5, 500, 5);
        var balancer = new RoundRobinBalancer();
        var picks = Enumerable.Range(0, 6).Select(_ => balancer.Pick(endpoints, null)).ToArray();
        Assert.Equal([endpoints[0], endpoints[1], endpoints[2], endpoints[0], endpoints[1], endpoints[2]], picks);
    }

    [Fact]
    public void Pick_SkipsTheEndpointToAvoid()
    {
        var endpoints = TestEndpoints.WithRtts(new FakeTimeProvider(), 5, 5, 5);
        var counts = TestEndpoints.CountPicks(new RoundRobinBalancer(), endpoints, 300, avoid: endpoints[1]);
        Assert.Equal(0, counts[endpoints[1]]);
        Assert.Equal(300, counts[endpoints[0]] + counts[endpoints[2]]);
    }
}
