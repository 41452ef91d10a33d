namespace Mesh.Endpoints;

/// <summary>
/// The current <see cref="EndpointSet"/> of one service, replaced atomically: discovery publishes new
/// addresses, failure accrual publishes new availability. Readers never lock.
/// </summary>
internal sealed class ServiceEndpoints(Func<Uri, MeshEndpoint> createEndpoint)
{
    private readonly object _writeLock = new();
    private readonly TaskCompletionSource _firstResolution = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EndpointSet _current = EndpointSet.Empty;

    public EndpointSet Current => Volatile.Read(ref _current);

    /// <summary>Completes once discovery has answered (with endpoints or not) for the first time.</summary>
    public Task FirstResolution => _firstResolution.Task;

    /// <summary>
    /// Publishes the addresses discovery reported. Endpoints whose address was already known keep their
    /// instance and statistics; removed endpoints finish the attempts they have in flight.
    /// </summary>
    public void Publish(IReadOnlyList<Uri> addresses)
    {
        lock (_writeLock)
        {
            var old = _current;
            var all = new MeshEndpoint[addresses.Count];
            for (var i = 0; i < all.Length; i++)
            {
                all[i] = old.Find(addresses[i]) ?? createEndpoint(addresses[i]);
            }

            Volatile.Write(ref _current, new EndpointSet(all, AvailableOf(all)));
        }

        _firstResolution.TrySetResult();
    }

    /// <summary>
    /// Applies reloaded settings to each known endpoint (<paramref name="apply"/>), which keeps its statistics; endpoints
    /// discovered later are made with the settings in effect then.
    /// </summary>
    public void Reconfigure(Action<MeshEndpoint> apply)
    {
        lock (_writeLock)
        {
            foreach (var endpoint in _current.AllSpan)
            {
                apply(endpoint);
            }
        }
    }

    /// <summary>Marks discovery as having answered without publishing anything (it failed or was empty).</summary>
    public void MarkResolved() => _firstResolution.TrySetResult();

    /// <summary>Republishes the current endpoints after one changed state, so <see cref="EndpointSet.Available"/> follows.</summary>
    public void RefreshAvailability()
    {
        lock (_writeLock)
        {
            var all = _current.AllSpan.ToArray();
            Volatile.Write(ref _current, new EndpointSet(all, AvailableOf(all)));
        }
    }

    private static MeshEndpoint[] AvailableOf(MeshEndpoint[] all) =>
        Array.FindAll(all, static e => e.State == EndpointState.Ready);
}
