using Mesh.Tap;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.Tap;

public class MeshTapTests
{
    private readonly FakeTimeProvider _time = new();

    private static TapEvent Event(int status = 200) =>
        new(DateTimeOffset.UnixEpoch, "outbound", "orders", "GET", "orders", "/", status, 1, "success", null, [], [], null, null);

    private static List<TapEvent> Drain(TapSubscription subscription)
    {
        var events = new List<TapEvent>();
        while (subscription.Events.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public void NoSubscriber_IsInactive()
    {
        var tap = new MeshTap(_time);
        Assert.False(tap.IsActive);
        using (tap.Subscribe(new TapQuery()))
        {
            Assert.True(tap.IsActive);
        }

        Assert.False(tap.IsActive);
    }

    [Fact]
    public async Task Limit_EndsTheSubscription_AfterNEvents()
    {
        var tap = new MeshTap(_time);
        var subscription = tap.Subscribe(new TapQuery { Limit = 3 });
        for (var i = 0; i < 10; i++)
        {
            tap.Publish(Event());
        }

        Assert.Equal(3, Drain(subscription).Count);
        await subscription.Events.Completion;
        Assert.False(tap.IsActive);
    }

    [Fact]
    public void Rate_CapsEventsPerSecond_AndCountsTheRestAsDropped()
    {
        var tap = new MeshTap(_time);
        using var subscription = tap.Subscribe(new TapQuery { Rate = 5 }, capacity: 1000);
        for (var i = 0; i < 20; i++)
        {
            tap.Publish(Event());
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++)
        {
            tap.Publish(Event());
        }

        Assert.Equal(10, Drain(subscription).Count);
        Assert.Equal(30, subscription.Dropped);
    }

    [Fact]
    public void SlowSubscriber_QueueIsBounded_AndDropsInsteadOfGrowing()
    {
        var tap = new MeshTap(_time);
        using var slow = tap.Subscribe(new TapQuery { Rate = 10_000 }, capacity: 16);
        using var fast = tap.Subscribe(new TapQuery { Rate = 10_000, Status = 503 }, capacity: 1000);
        for (var i = 0; i < 1000; i++)
        {
            tap.Publish(Event(i % 2 == 0 ? 200 : 503));
        }

        Assert.Equal(16, Drain(slow).Count);
        Assert.Equal(984, slow.Dropped);
        Assert.Equal(500, Drain(fast).Count);
        Assert.Equal(0, fast.Dropped);
    }
}
