namespace Mesh.Tap;

/// <summary>
/// Live requests for whoever is watching (the admin <c>/tap</c> endpoint, the dashboard, <c>mesh tap</c>). When no one
/// subscribes, a request pays two volatile reads (at its start and its end); events are built only while someone taps.
/// </summary>
public sealed class MeshTap(TimeProvider time)
{
    private TapSubscription[] _subscribers = [];

    /// <summary>Gets whether anyone is tapping.</summary>
    public bool IsActive => Volatile.Read(ref _subscribers).Length != 0;

    /// <summary>Subscribes to the requests that match <paramref name="query"/>, with a queue of <paramref name="capacity"/> events.</summary>
    public TapSubscription Subscribe(TapQuery query, int capacity = 256)
    {
        var subscription = new TapSubscription(this, query, capacity, time);
        lock (this)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    internal void Publish(TapEvent e)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Offer(e);
        }
    }

    internal void Remove(TapSubscription subscription)
    {
        lock (this)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
        }
    }
}
