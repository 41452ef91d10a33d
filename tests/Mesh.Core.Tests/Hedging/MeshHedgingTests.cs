using Mesh.Configuration;
using Mesh.Hedging;
using Mesh.Pipeline;
using Mesh.Routing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.Hedging;

/// <summary>
/// The delay before a hedge, as Polly's hedging strategy asks for it: the route's latency percentile (computed at most once a
/// second), the MinDelay floor, the 20-sample rule, the deadline. "As computed before" is the route's histogram read at
/// the moment of the request, the way every hedged request read it before the value was kept.
/// </summary>
public sealed class MeshHedgingTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly RouteStats _route;

    public MeshHedgingTests()
    {
        _route = new RouteStats("default", _time);
        _route.KeepRecentLatencies();
    }

    [Fact]
    public void Delay_FollowsTheRoutesLatencies_FromSecondToSecond_AsComputedBefore()
    {
        var options = new HedgingOptions { Enabled = true, Percentile = 0.95, MinDelay = TimeSpan.FromMilliseconds(10) };

        // Each second the route's attempts get slower, then (their window of 10 s passing) fall silent.
        double[] latencyMs = [100, 200, 400, 800];
        var delays = new List<double>();
        foreach (var ms in latencyMs)
        {
            Record(ms, count: 50);
            _time.Advance(TimeSpan.FromSeconds(1));
            var delay = DelayNow(options);
            Assert.Equal(ComputedNow(options), delay);
            delays.Add(delay.TotalMilliseconds);
        }

        // p95 of 50 samples at each of 100..800 ms so far: the latest batch's bucket (bounds 20% apart) once it holds 5%.
        Assert.InRange(delays[0], 100, 120);
        Assert.InRange(delays[1], 200, 240);
        Assert.InRange(delays[2], 400, 480);
        Assert.InRange(delays[3], 800, 960);

        // Ten seconds later the window holds nothing: the floor, as when there were too few latencies.
        _time.Advance(Window);
        Assert.Equal(options.MinDelay, DelayNow(options));
        Assert.Equal(ComputedNow(options), DelayNow(options));
    }

    [Fact]
    public void Delay_WithinASecond_IsNotMovedByABurstOfLatencies_AndIsASecondLater()
    {
        var options = new HedgingOptions { Enabled = true, Percentile = 0.95 };
        Record(100, count: 100);
        var before = DelayNow(options);
        Assert.InRange(before.TotalMilliseconds, 100, 120);

        // A burst of slow attempts: read fresh, the percentile moves at once; the kept delay does not, for a second.
        Record(2_000, count: 1_000);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.InRange(ComputedNow(options).TotalMilliseconds, 2_000, 2_400);
        Assert.Equal(before, DelayNow(options));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ComputedNow(options), DelayNow(options));
        Assert.InRange(DelayNow(options).TotalMilliseconds, 2_000, 2_400);
    }

    [Fact]
    public void Delay_IsMinDelay_UntilTwentyLatencies_ThenThePercentile_ASecondLaterAtMost()
    {
        var options = new HedgingOptions { Enabled = true, Percentile = 0.95, MinDelay = TimeSpan.FromMilliseconds(10) };
        Assert.Equal(options.MinDelay, DelayNow(options));

        Record(300, count: 19);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(options.MinDelay, DelayNow(options));

        Record(300, count: 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.InRange(DelayNow(options).TotalMilliseconds, 300, 360);

        // A percentile below the floor gives the floor.
        var floored = new HedgingOptions { Enabled = true, Percentile = 0.95, MinDelay = TimeSpan.FromSeconds(1) };
        Assert.Equal(TimeSpan.FromSeconds(1), DelayNow(floored));
    }

    [Fact]
    public void Delay_AfterAReloadChangesThePercentile_IsTheNewPercentile_AtOnce()
    {
        Record(10, count: 90);
        Record(500, count: 10);
        var p95 = new HedgingOptions { Enabled = true, Percentile = 0.95, MinDelay = TimeSpan.FromMilliseconds(1) };
        Assert.InRange(DelayNow(p95).TotalMilliseconds, 500, 600);

        // The same second, the reloaded policy's p50: not the p95 kept a moment ago.
        var p50 = new HedgingOptions { Enabled = true, Percentile = 0.5, MinDelay = TimeSpan.FromMilliseconds(1) };
        Assert.InRange(DelayNow(p50).TotalMilliseconds, 10, 12);
        Assert.Equal(ComputedNow(p50), DelayNow(p50));
    }

    [Fact]
    public void Delay_PastTheDeadline_IsInfinite()
    {
        Record(300, count: 50);
        var options = new HedgingOptions { Enabled = true, Percentile = 0.95 };
        Assert.InRange(DelayNow(options).TotalMilliseconds, 300, 360);

        Assert.Equal(Timeout.InfiniteTimeSpan, DelayNow(options, deadlineIn: TimeSpan.FromMilliseconds(300)));
    }

    private void Record(double ms, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _route.RecentLatencies!.Record(TimeSpan.FromMilliseconds(ms));
        }
    }

    private TimeSpan DelayNow(HedgingOptions options, TimeSpan? deadlineIn = null)
    {
        var now = _time.GetTimestamp();
        var deadline = now + (long)((deadlineIn ?? TimeSpan.FromSeconds(30)).TotalSeconds * _time.TimestampFrequency);
        var request = MeshRequest.Rent(new HttpRequestMessage(HttpMethod.Get, "http://orders/"), null!, default, _time, now, deadline, activity: null);
        request.Route = _route;
        try
        {
            return MeshHedging.Delay(options, request);
        }
        finally
        {
            request.Return();
        }
    }

    // The delay as every hedged request computed it before it was kept: the histogram read now.
    private TimeSpan ComputedNow(HedgingOptions options)
    {
        var observed = _route.RecentLatencies!.Percentile(options.Percentile, Window, minSamples: 20) ?? options.MinDelay;
        return observed > options.MinDelay ? observed : options.MinDelay;
    }
}
