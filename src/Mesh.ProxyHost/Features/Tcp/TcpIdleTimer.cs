namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// Ends an opaque TCP connection through which no byte has moved, either way, for <c>Mesh:Proxy:Tcp:IdleTimeout</c>
/// (Envoy's tcp_proxy <c>idle_timeout</c>). One timer per connection, not re-armed per read: the relay only writes the
/// time of its last read (<see cref="Touch"/>), and when the timer fires it either finds the connection idle long
/// enough or sets itself again for what remains. Time comes from the <see cref="TimeProvider"/>, so tests move it.
/// </summary>
internal sealed class TcpIdleTimer : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly Action _onIdle;
    private readonly ITimer _timer;
    private long _lastActivity;

    public TcpIdleTimer(TimeSpan timeout, TimeProvider time, Action onIdle)
    {
        _timeout = timeout;
        _time = time;
        _onIdle = onIdle;
        _lastActivity = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((TcpIdleTimer)state!).Check(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Notes that bytes moved now.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    private void Check()
    {
        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (idle >= _timeout)
        {
            _onIdle();
            return;
        }

        // The timer is set in the constructor before it can fire (its first due time is the whole timeout).
        _timer.Change(_timeout - idle, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();
}
