using System.Threading.Channels;

namespace Mesh.Tap;

/// <summary>
/// One tap subscriber: the events that match its query, in a bounded queue that drops new events rather than grow
/// when the subscriber reads slowly, at most <see cref="TapQuery.Rate"/> per second, ending after
/// <see cref="TapQuery.Limit"/> events. Dispose it to unsubscribe.
/// </summary>
public sealed class TapSubscription : IDisposable
{
    private readonly Channel<TapEvent> _channel;
    private readonly MeshTap _tap;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private long _second = -1;
    private int _inSecond;
    private int _delivered;
    private long _dropped;

    internal TapSubscription(MeshTap tap, TapQuery query, int capacity, TimeProvider time)
    {
        _tap = tap;
        _time = time;
        _capacity = capacity;
        Query = query;
        // DropWrite: a full queue drops the new event (TryWrite still succeeds), so count it through the callback.
        _channel = Channel.CreateBounded<TapEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Gets the query.</summary>
    public TapQuery Query { get; }

    /// <summary>Gets the matching events; completes when the limit is reached or the subscription is disposed.</summary>
    public ChannelReader<TapEvent> Events => _channel.Reader;

    /// <summary>Gets how many matching events were dropped (queue full or over the rate).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Offer(TapEvent e)
    {
        if (!Query.Matches(e))
        {
            return;
        }

        lock (_channel)
        {
            if (Query.Limit is { } limit && _delivered >= limit)
            {
                return;
            }

            var second = (long)_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000;
            if (second != _second)
            {
                _second = second;
                _inSecond = 0;
            }

            // The only writer, under the lock: a full queue drops the event here, so limit and rate count only deliveries.
            if (_inSecond >= Query.Rate || _channel.Reader.Count >= _capacity)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }

            if (!_channel.Writer.TryWrite(e))
            {
                return;
            }

            _inSecond++;
            _delivered++;
            if (Query.Limit is { } max && _delivered >= max)
            {
                _channel.Writer.TryComplete();
                _tap.Remove(this);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _tap.Remove(this);
    }
}
