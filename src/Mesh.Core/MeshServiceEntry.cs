using Mesh.Discovery;
using Mesh.Endpoints;

namespace Mesh;

/// <summary>
/// One service's slot in the registry: its endpoints and discovery live as long as the host, while the
/// <see cref="MeshService"/> built from its options is replaced whole when configuration changes, so handlers pick
/// up a reload on their next request and endpoint statistics survive it.
/// </summary>
internal sealed class MeshServiceEntry(MeshService initial, ServiceEndpoints endpoints, EndpointDiscovery? discovery)
{
    private MeshService _current = initial;

    public MeshService Current => Volatile.Read(ref _current);

    public ServiceEndpoints Endpoints { get; } = endpoints;

    public EndpointDiscovery? Discovery { get; } = discovery;

    public void Replace(MeshService service) => Volatile.Write(ref _current, service);
}
