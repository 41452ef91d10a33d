namespace Mesh.Tap;

/// <summary>
/// Live requests for whoever is watching (the admin <c>/tap</c> endpoint, the dashboard, <c>mesh tap</c>). When no one
/// subscribes, a request pays two volatile reads (at its start and its end); events are built only while someone taps.
/// </summary>
public sealed class MeshTap
{
    private readonly TimeProvider _time;
    private TapSubscription[] _subscribers = [];

    // One per host, registered by AddMeshCore: an application subscribes to that one, never makes its own.
    internal MeshTap(TimeProvider time) => _time = time;

    /// <summary>Gets whether anyone is tapping.</summary>
    public bool IsActive => Volatile.Read(ref _subscribers).Length != 0;

    /// <summary>Subscribes to the requests that match <paramref name="query"/>, with a queue of <paramref name="capacity"/> events.</summary>
    public TapSubscription Subscribe(TapQuery query, int capacity = 256)
    {
        var subscription = new TapSubscription(this, query, capacity, _time);
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
