using Mesh.LoadBalancing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.LoadBalancing;

public class PeakEwmaBalancerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Pick_NeverPicksTheSlowestOfThree()
    {
        var endpoints = TestEndpoints.WithRtts(_time, 5, 5, 55);
        var counts = TestEndpoints.CountPicks(new PeakEwmaBalancer(new Random(1)), endpoints, 3000);

        Assert.Equal(0, counts[endpoints[2]]);
        Assert.InRange(counts[endpoints[0]], 1200, 1800);
    }

    [Fact]
    public void Pick_PrefersLowerLatencyEndpoint()
    {
        var endpoints = TestEndpoints.WithRtts(_time, 50, 5);
        var counts = TestEndpoints.CountPicks(new PeakEwmaBalancer(new Random(2)), endpoints, 1000);
        Assert.Equal(1000, counts[endpoints[1]]);
    }

    [Fact]
    public void Pick_WeighsLatencyByLoad()
    {
        // 10 ms with 4 in flight costs 50; 30 ms idle costs 30: the idle one wins.
        var endpoints = TestEndpoints.WithRtts(_time, 10, 30);
        for (var i = 0; i < 4; i++)
        {
            endpoints[0].OnAttemptStarted();
        }

        Assert.Same(endpoints[1], new PeakEwmaBalancer(new Random(3)).Pick(endpoints, avoid: null));
    }

    [Fact]
    public void Pick_FastFailingEndpointGetsNoMoreThanItsFairShare()
    {
        var endpoints = TestEndpoints.WithRtts(_time, 5, 5, 5);
        var balancer = new PeakEwmaBalancer(new Random(4));
        var counts = endpoints.ToDictionary(e => e, _ => 0);
        for (var i = 0; i < 3000; i++)
        {
            var picked = balancer.Pick(endpoints, avoid: null);
            counts[picked]++;
            var failing = picked == endpoints[2];
            picked.Latency.Observe(TimeSpan.FromMilliseconds(failing ? 1 : 5), failed: failing);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.True(counts[endpoints[2]] < 3000 / 3, $"failing endpoint got {counts[endpoints[2]]} of 3000");
    }

    [Fact]
    public void Pick_SlowEndpointIsTriedAgainOnceItsEstimateDecays()
    {
        var endpoints = TestEndpoints.WithRtts(_time, 5, 5);
        endpoints[1].Latency.Observe(TimeSpan.FromMilliseconds(500), failed: false);
        var balancer = new PeakEwmaBalancer(new Random(5));
        Assert.Equal(0, TestEndpoints.CountPicks(balancer, endpoints, 200)[endpoints[1]]);

        // Six time constants later the slow estimate has decayed to 500 ms × e^-6 ≈ 1.2 ms,
        // below the healthy endpoint's fresh 5 ms sample.
        _time.Advance(TimeSpan.FromSeconds(60));
        endpoints[0].Latency.Observe(TimeSpan.FromMilliseconds(5), failed: false);
        Assert.True(TestEndpoints.CountPicks(balancer, endpoints, 200)[endpoints[1]] > 0);
    }

    [Fact]
    public void Pick_NeverPicksTheEndpointToAvoid()
    {
        var endpoints = TestEndpoints.WithRtts(_time, 1, 50, 50);
        var counts = TestEndpoints.CountPicks(new PeakEwmaBalancer(new Random(6)), endpoints, 1000, avoid: endpoints[0]);
        Assert.Equal(0, counts[endpoints[0]]);
    }

    [Fact]
    public void Pick_SingleEndpoint_IsPickedEvenWhenToBeAvoided()
    {
        var endpoints = TestEndpoints.WithRtts(_time, 5);
        Assert.Same(endpoints[0], new PeakEwmaBalancer(new Random(7)).Pick(endpoints, endpoints[0]));
    }
}
