using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Mesh.Retries;

namespace Mesh.Core.Tests.Retries;

// Edges of Backoff's floor and cap; written against the survivors of the first mutation run (tests/mutation/RESULTS.md).
public class BackoffEdgeTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", CultureInfo.InvariantCulture);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(1);

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue value)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = value;
        return Backoff.RetryAfter(response, Now, Cap);
    }

    [Fact]
    public void RetryAfter_DateInThePast_IsTheFloor_NotNull() =>
        Assert.Equal(TimeSpan.FromMilliseconds(1), RetryAfter(new RetryConditionHeaderValue(Now.AddMinutes(-5))));

    [Fact]
    public void RetryAfter_Zero_IsTheFloor() =>
        Assert.Equal(TimeSpan.FromMilliseconds(1), RetryAfter(new RetryConditionHeaderValue(TimeSpan.Zero)));

    [Fact]
    public void RetryAfter_ExactlyTheFloorOrTheCap_IsKept()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1), RetryAfter(new RetryConditionHeaderValue(Now.AddMilliseconds(1))));
        Assert.Equal(Cap, RetryAfter(new RetryConditionHeaderValue(Cap)));
        Assert.Equal(TimeSpan.FromMilliseconds(999), RetryAfter(new RetryConditionHeaderValue(Now.AddMilliseconds(999))));
    }

    [Fact]
    public void RetryAfter_NoResponse_IsNull() => Assert.Null(Backoff.RetryAfter(null, Now, Cap));

    [Fact]
    public void Delay_AtTheFloor_IsTheFloor() =>
        Assert.Equal(TimeSpan.FromMilliseconds(1), Backoff.Delay(0, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1), 1));

    [Fact]
    public void Format_IsMillisecondsWithOneDecimal() =>
        Assert.Equal("12.5", Backoff.Format(TimeSpan.FromMilliseconds(12.5)));
}
