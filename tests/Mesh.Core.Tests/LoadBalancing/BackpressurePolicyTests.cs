using System.Net;
using System.Net.Http.Headers;
using Mesh.Configuration;
using Mesh.LoadBalancing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.LoadBalancing;

public class BackpressurePolicyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
    private readonly BackpressurePolicy _policy = new(new BackpressureOptions());

    private static HttpResponseMessage Response(HttpStatusCode status, RetryConditionHeaderValue? retryAfter = null)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = retryAfter;
        return response;
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, 2, 2.0)]
    [InlineData(HttpStatusCode.ServiceUnavailable, 2, 2.0)]
    [InlineData(HttpStatusCode.TooManyRequests, 3600, 5.0)] // capped at Backpressure:MaxDuration
    [InlineData(HttpStatusCode.ServiceUnavailable, 0, 0.001)]
    public void RetryAfterSeconds_KeepTheEndpointLoadedThatLong_UpToTheCap(HttpStatusCode status, int seconds, double expected)
    {
        using var response = Response(status, new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds)));
        Assert.Equal(TimeSpan.FromSeconds(expected), _policy.LoadedFor(response, _time));
    }

    [Fact]
    public void RetryAfterDate_IsReadAgainstTheClock()
    {
        using var response = Response(HttpStatusCode.ServiceUnavailable, new RetryConditionHeaderValue(_time.GetUtcNow().AddSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(3), _policy.LoadedFor(response, _time));
    }

    [Fact]
    public void A429WithoutRetryAfter_TakesTheDefault_A503WithoutOne_IsNoBackpressure()
    {
        using var tooMany = Response(HttpStatusCode.TooManyRequests);
        using var unavailable = Response(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(1), _policy.LoadedFor(tooMany, _time));
        Assert.Null(_policy.LoadedFor(unavailable, _time));

        var noDefault = new BackpressurePolicy(new BackpressureOptions { DefaultDuration = TimeSpan.Zero });
        Assert.Null(noDefault.LoadedFor(tooMany, _time));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.MovedPermanently)]
    public void OtherStatuses_AreNoBackpressure_EvenWithRetryAfter(HttpStatusCode status)
    {
        using var response = Response(status, new RetryConditionHeaderValue(TimeSpan.FromSeconds(2)));
        Assert.Null(_policy.LoadedFor(response, _time));
    }

    [Fact]
    public void Disabled_NothingIsBackpressure()
    {
        var off = new BackpressurePolicy(new BackpressureOptions { Enabled = false });
        using var response = Response(HttpStatusCode.TooManyRequests, new RetryConditionHeaderValue(TimeSpan.FromSeconds(2)));
        Assert.Null(off.LoadedFor(response, _time));
    }
}
