using Mesh.LoadBalancing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.LoadBalancing;

public class PeakEwmaTests
{
    private static readonly TimeSpan Tau = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    private PeakEwma Create(double initialMs = 30, double penaltyMs = 100) =>
        new(_time, Tau, TimeSpan.FromMilliseconds(initialMs), TimeSpan.FromMilliseconds(penaltyMs));

    [Fact]
    public void NoHistory_AssumesDefaultRtt()
    {
        Assert.Equal(30, Create().EstimateMs, 3);
    }

    [Fact]
    public void Reconfigure_NewPenaltyAndTimeConstant_ApplyFromTheNextSample_KeepingTheEstimate()
    {
        var ewma = Create(initialMs: 100, penaltyMs: 100);
        ewma.Reconfigure(decayTime: Tau * 2, failurePenalty: TimeSpan.FromMilliseconds(400));
        Assert.Equal(100, ewma.EstimateMs, 3);

        ewma.Observe(TimeSpan.FromMilliseconds(1), failed: true);
        Assert.Equal(400, ewma.EstimateMs, 3);

        // One old time constant later the estimate has kept e^-0.5 of its weight, not e^-1.
        _time.Advance(Tau);
        Assert.Equal(400 * Math.Exp(-0.5), ewma.EstimateMs, 2);
    }

    [Fact]
    public void Observe_SlowerSample_ReplacesEstimateAtOnce()
    {
        var ewma = Create(initialMs: 10);
        ewma.Observe(TimeSpan.FromMilliseconds(250), failed: false);
        Assert.Equal(250, ewma.EstimateMs, 3);
    }

    [Fact]
    public void Observe_FasterSample_BlendsWithWeightOfElapsedTime()
    {
        var ewma = Create(initialMs: 100);
        _time.Advance(Tau);
        ewma.Observe(TimeSpan.FromMilliseconds(10), failed: false);

        // After one time constant the old estimate keeps e^-1 of its weight.
        var expected = (100 * Math.Exp(-1)) + (10 * (1 - Math.Exp(-1)));
        Assert.Equal(expected, ewma.EstimateMs, 2);
    }

    [Fact]
    public void Idle_EstimateDecaysTowardsZeroWithTimeConstant()
    {
        var ewma = Create(initialMs: 10);
        ewma.Observe(TimeSpan.FromMilliseconds(200), failed: false);
        _time.Advance(Tau);
        Assert.Equal(200 * Math.Exp(-1), ewma.EstimateMs, 2);
        _time.Advance(Tau * 4);
        Assert.Equal(200 * Math.Exp(-5), ewma.EstimateMs, 2);
    }

    [Fact]
    public void Observe_FastFailure_CountsAsPenalty()
    {
        var ewma = Create(initialMs: 1, penaltyMs: 100);
        ewma.Observe(TimeSpan.FromMilliseconds(1), failed: true);
        Assert.Equal(100, ewma.EstimateMs, 3);
    }

    [Fact]
    public void Observe_SlowFailure_KeepsItsOwnDuration()
    {
        var ewma = Create(initialMs: 1, penaltyMs: 100);
        ewma.Observe(TimeSpan.FromMilliseconds(400), failed: true);
        Assert.Equal(400, ewma.EstimateMs, 3);
    }

    [Fact]
    public void Cost_GrowsWithRequestsInFlight()
    {
        var ewma = Create(initialMs: 20);
        var now = ewma.Timestamp();
        Assert.Equal(3 * ewma.Cost(0, now), ewma.Cost(2, now), 6);
    }

    [Fact]
    public void Observe_ConcurrentWriters_NeverLoseThePeak()
    {
        var ewma = Create(initialMs: 1);
        Parallel.For(0, 10_000, i => ewma.Observe(TimeSpan.FromMilliseconds(i % 100 == 0 ? 500 : 2), failed: false));
        Assert.Equal(500, ewma.EstimateMs, 3);
    }
}
