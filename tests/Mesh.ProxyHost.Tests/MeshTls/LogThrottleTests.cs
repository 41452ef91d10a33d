using Mesh.ProxyHost.Features.MeshTls;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>One line per period for an event that repeats with every connection, the next one saying how many were not logged.</summary>
public class LogThrottleTests
{
    [Fact]
    public void TheFirstIsLogged_TheRestOfThePeriodCounted_TheNextLineSaysHowMany()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time);

        Assert.True(throttle.ShouldLog(out var first));
        var quiet = Enumerable.Range(0, 3).Count(i => throttle.ShouldLog(out _));
        time.Advance(LogThrottle.Period - TimeSpan.FromMilliseconds(1));
        Assert.False(throttle.ShouldLog(out _));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(throttle.ShouldLog(out var next));

        Assert.Equal(0, first);
        Assert.Equal(0, quiet);
        Assert.Equal(4, next);
    }
}
