using Mesh.FailureAccrual;
using Mesh.Internal;
using Mesh.LoadBalancing;
using Mesh.Stats;

namespace Mesh.Endpoints;

/// <summary>
/// One address of a service, with the live statistics the balancer and failure accrual read:
/// requests in flight and a peak-EWMA latency estimate.
/// </summary>
/// <remarks>
/// An endpoint outlives the <see cref="EndpointSet"/> snapshots that list it: when discovery
/// republishes the same address, the same instance (and its statistics) is carried over.
/// </remarks>
public sealed class MeshEndpoint
{
    private int _inFlight;
    private long _loadedUntil;
    private string? _loadedReason;

    internal MeshEndpoint(Uri address, PeakEwma latency, EndpointHealth health, TrafficStats? traffic = null)
    {
        Address = address;
        Name = address.Authority;

        // Computed once: every attempt's URI is this prefix plus the request's path and query.
        var basePath = address.AbsolutePath;
        Uris = new AttemptUris(basePath.Length <= 1
            ? string.Concat(address.Scheme, "://", Name)
            : string.Concat(address.Scheme, "://", Name, basePath.TrimEnd('/')));
        Latency = latency;
        Health = health;
        Traffic = traffic;
    }

    /// <summary>Gets the base address requests are sent to, e.g. <c>http://10.0.0.5:8080/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Gets the endpoint's name in metrics and logs: its authority, e.g. <c>10.0.0.5:8080</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the number of attempts currently in flight to this endpoint.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Gets where the endpoint stands with failure accrual.</summary>
    public EndpointState State => Health.State;

    /// <summary>Gets the URIs of attempts on this endpoint, by the logical URI.</summary>
    internal AttemptUris Uris { get; }

    internal PeakEwma Latency { get; }

    internal EndpointHealth Health { get; }

    /// <summary>Gets the endpoint's rolling traffic for the stats API; null where nothing reads it.</summary>
    internal TrafficStats? Traffic { get; }

    /// <summary>Gets why the endpoint was last marked loaded (<c>status_429</c>, <c>status_503</c>).</summary>
    internal string? LoadedReason => Volatile.Read(ref _loadedReason);

    /// <summary>Gets whether the endpoint asked for less traffic (backpressure) and the time it named has not come yet.</summary>
    internal bool IsLoadedAt(long now) => now < Volatile.Read(ref _loadedUntil);

    /// <summary>Keeps the endpoint loaded until <paramref name="until"/>, a timestamp of the service's clock, unless it is already for longer.</summary>
    internal void MarkLoaded(long until, string reason)
    {
        Volatile.Write(ref _loadedReason, reason);
        Atomic.Max(ref _loadedUntil, until);
    }

    /// <summary>
    /// Gets the value of the <c>mesh.endpoint.state</c> tag at <paramref name="now"/>: <c>loaded</c> for a ready endpoint
    /// that asked for less traffic, else its <see cref="State"/>'s.
    /// </summary>
    internal string StateTagAt(long now) => State == EndpointState.Ready && IsLoadedAt(now) ? EndpointStateExtensions.Loaded : State.ToTagValue();

    internal void OnAttemptStarted() => Interlocked.Increment(ref _inFlight);

    internal void OnAttemptEnded() => Interlocked.Decrement(ref _inFlight);

    /// <inheritdoc />
    public override string ToString() => Name;
}
