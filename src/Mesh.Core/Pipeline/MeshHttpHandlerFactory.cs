using Mesh.Upstream;

namespace Mesh.Pipeline;

/// <summary>
/// Makes what puts Mesh under an <see cref="HttpClient"/>: the <see cref="MeshHttpHandler"/> (the whole request path)
/// and the connection pools below it. Registered by <c>AddMeshCore</c>; <c>AddMesh()</c> in Mesh.Client uses it.
/// Every handler it makes for a service shares that service's state (endpoints, budget, balancer, statistics) with
/// every other handler for it in the application.
/// </summary>
public sealed class MeshHttpHandlerFactory
{
    private readonly MeshServiceRegistry _registry;
    private readonly Configuration.ServiceCatalog _catalog;

    internal MeshHttpHandlerFactory(MeshServiceRegistry registry, Configuration.ServiceCatalog catalog)
    {
        _registry = registry;
        _catalog = catalog;
    }

    /// <summary>
    /// Gets the services configuration names now (under <c>Services</c>, <c>Mesh:Services</c> or
    /// <c>Mesh:Discovery:Dns:Services</c>): the hosts a handler from <see cref="CreateHandler()"/> balances over
    /// discovered endpoints, and whose policies an application meshing clients that way validates at start.
    /// </summary>
    public IEnumerable<string> ConfiguredServices => _catalog.Names;

    /// <summary>
    /// Creates a handler that sends every request for <paramref name="service"/>, whatever host its URI names: the
    /// service's endpoints come from discovery (<c>Services:{service}</c>), its policy from <c>Mesh:Services:{service}</c>.
    /// </summary>
    /// <param name="service">The logical service name, e.g. <c>orders</c>.</param>
    public MeshHttpHandler CreateHandler(string service)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        return _registry.CreateHandler(service);
    }

    /// <summary>
    /// Creates a handler that sends each request for the service its host names (port ignored): <c>http://orders/x</c>
    /// for <c>orders</c>, <c>http://billing/y</c> for <c>billing</c>. A host that no configuration names (not under
    /// <c>Services</c>, <c>Mesh:Services</c> or <c>Mesh:Discovery:Dns:Services</c>) and that no handler was made for by
    /// name is its own one endpoint, with Mesh's default policy: a dynamic service, evicted when idle
    /// (<c>Mesh:DynamicServices</c>).
    /// </summary>
    public MeshHttpHandler CreateHandler() => new(_registry);

    /// <summary>
    /// Creates the primary handler to put under <paramref name="handler"/>: Mesh's connection pools, one
    /// <see cref="SocketsHttpHandler"/> per <c>Upstream:IdleTimeout</c> in use, so no connection idle longer than its
    /// service allows is reused. Each is made like <paramref name="template"/> when given (its certificates, proxy,
    /// callbacks, HTTP/2 settings), with a 10 s connect timeout and a 5 min connection lifetime where the template leaves
    /// them infinite. The template itself never sends; the pools are disposed with the returned handler.
    /// </summary>
    /// <param name="handler">The Mesh handler the pools serve.</param>
    /// <param name="template">The handler whose settings the pools copy; null for SocketsHttpHandler's own.</param>
    public HttpMessageHandler CreatePrimaryHandler(MeshHttpHandler handler, SocketsHttpHandler? template = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var pools = new ConnectionPools(idle => ConnectionSettings.Create(template, idle));
        if (handler.ServiceName is null)
        {
            return new UpstreamHandler(pools, idleTimeout: null, ownsPools: true);
        }

        var service = handler.Service;
        return new UpstreamHandler(pools, () => service.Policy.Options.Upstream.IdleTimeout, ownsPools: true);
    }
}
