using System.Net;
using System.Net.Http.Headers;
using Mesh.Retries;

namespace Mesh.Core.Tests.Retries;

public class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan Max = TimeSpan.FromMilliseconds(250);

    [Theory]
    [InlineData(0, 25)]
    [InlineData(1, 50)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(4, 250)]
    [InlineData(40, 250)]
    public void Delay_CeilingDoublesUpToMax(int retry, double ceilingMs)
    {
        Assert.Equal(ceilingMs, Backoff.Delay(retry, Base, Max, random: 0.999999).TotalMilliseconds, 0);
        Assert.Equal(ceilingMs / 2, Backoff.Delay(retry, Base, Max, random: 0.5).TotalMilliseconds, 3);
    }

    [Fact]
    public void Delay_Property_NeverZeroNegativeOrOverflowing()
    {
        var random = new Random(7);
        foreach (var retry in new[] { 0, 1, 10, 31, 32, 62, 63, 1000, int.MaxValue, -1, int.MinValue })
        {
            for (var i = 0; i < 200; i++)
            {
                var delay = Backoff.Delay(retry, Base, Max, random.NextDouble());
                Assert.InRange(delay, TimeSpan.FromMilliseconds(1), Max);
            }

            Assert.Equal(TimeSpan.FromMilliseconds(1), Backoff.Delay(retry, Base, Max, 0));
            Assert.InRange(Backoff.Delay(retry, Base, Max, double.NaN), TimeSpan.FromMilliseconds(1), Max);
        }
    }

    [Fact]
    public void RetryAfter_Seconds_IsHonouredUpToTheCap()
    {
        var now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(300), Backoff.RetryAfter(response, now, TimeSpan.FromSeconds(1)));

        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
        Assert.Equal(TimeSpan.FromSeconds(1), Backoff.RetryAfter(response, now, TimeSpan.FromSeconds(1)));

        response.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(500), Backoff.RetryAfter(response, now, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void RetryAfter_Absent_IsNull()
    {
        Assert.Null(Backoff.RetryAfter(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable), DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(1)));
        Assert.Null(Backoff.RetryAfter(null, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(1)));
    }
}
