namespace Mesh.Endpoints;

/// <summary>
/// An immutable snapshot of a service's endpoints. A new snapshot replaces the old one atomically
/// whenever discovery or endpoint health changes; requests in flight keep the snapshot they started with.
/// </summary>
internal sealed class EndpointSet
{
    /// <summary>A set with no endpoints.</summary>
    public static readonly EndpointSet Empty = new([], []);

    private readonly MeshEndpoint[] _all;
    private readonly MeshEndpoint[] _available;

    internal EndpointSet(MeshEndpoint[] all, MeshEndpoint[] available)
    {
        _all = all;
        _available = available;
    }

    /// <summary>Gets every endpoint discovery reported, in discovery order.</summary>
    public IReadOnlyList<MeshEndpoint> All => _all;

    /// <summary>Gets the endpoints that may take new requests: those neither ejected nor being probed.</summary>
    public IReadOnlyList<MeshEndpoint> Available => _available;

    /// <summary>Gets the number of endpoints in the set.</summary>
    public int Count => _all.Length;

    internal ReadOnlySpan<MeshEndpoint> AllSpan => _all;

    internal ReadOnlySpan<MeshEndpoint> AvailableSpan => _available;

    internal MeshEndpoint? Find(Uri address)
    {
        foreach (var endpoint in _all)
        {
            if (endpoint.Address == address)
            {
                return endpoint;
            }
        }

        return null;
    }
}
