using Mesh.Classification;
using Mesh.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.Pipeline;

public sealed class MeshRequestTests
{
    [Fact]
    public async Task ARentedRequest_CarriesNothingOfTheRequestReturnedBeforeIt()
    {
        var time = new FakeTimeProvider();
        var first = MeshRequest.Rent(new HttpRequestMessage(HttpMethod.Post, "http://orders/a"), null!, new CancellationTokenSource().Token, time, 100, 200, activity: null);
        first.Attempts = 3;
        first.LastClassification = new(true, true, FailureReasons.Timeout);
        first.RetrySkipped = "budget_exhausted";
        first.BodyKnownReplayable = false;
        first.TapRetries = ["server_error"];
        first.AttemptStarted = 150;
        first.Return();

        // On the same thread, the spare is reused: the test proves the reset, not the allocation.
        var second = await Task.Run(() =>
        {
            var spare = MeshRequest.Rent(new HttpRequestMessage(HttpMethod.Get, "http://orders/b"), null!, default, time, 1_000, 5_000, activity: null);
            var again = MeshRequest.Rent(new HttpRequestMessage(HttpMethod.Get, "http://orders/c"), null!, default, time, 1_000, 5_000, activity: null);
            spare.Return();
            var reused = MeshRequest.Rent(new HttpRequestMessage(HttpMethod.Get, "http://orders/d"), null!, default, time, 2_000, 9_000, activity: null);
            Assert.Same(spare, reused);
            Assert.NotSame(spare, again);
            return reused;
        });

        Assert.Equal("http://orders/d", second.OriginalUri.ToString());
        Assert.Equal(0, second.Attempts);
        Assert.Equal(ResponseClassification.Success, second.LastClassification);
        Assert.Null(second.RetrySkipped);
        Assert.True(second.BodyReplayable);
        Assert.Null(second.TapRetries);
        Assert.Null(second.LastEndpoint);
        Assert.Equal(2_000, second.Started);
        Assert.Equal(2_000, second.AttemptStarted);
        Assert.Equal(9_000, second.Deadline);
        Assert.False(second.CallerToken.CanBeCanceled);
    }

    [Fact]
    public void Remaining_IsTheDeadlineLessNow_OnTheRequestsClock()
    {
        var time = new FakeTimeProvider();
        var now = time.GetTimestamp();
        var request = MeshRequest.Rent(new HttpRequestMessage(HttpMethod.Get, "http://orders/"), null!, default, time, now, now + (2 * time.TimestampFrequency), activity: null);

        time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), request.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(2), request.RemainingAt(now));
        request.Return();
    }
}
