namespace Mesh.TrafficSplit;

/// <summary>
/// One backend of a split: a service of its own (its endpoints, their health, its balancer), its weight, and its name,
/// which is also its <c>mesh.backend</c> value. The service is looked up when a request first goes to it, not when the
/// policy is built: a backend may itself be a split (whose weights are not followed from here), or the service itself.
/// </summary>
internal sealed class Backend
{
    private readonly Func<string, MeshService> _serviceOf;
    private MeshService? _service;

    public Backend(string name, int weight, Func<string, MeshService> serviceOf, MeshService? self)
    {
        Name = name;
        Weight = weight;
        _serviceOf = serviceOf;
        _service = self;
    }

    /// <summary>Gets the backend service's name, the <c>mesh.backend</c> of the requests it answers.</summary>
    public string Name { get; }

    public int Weight { get; }

    /// <summary>Gets the backend service, made (with its discovery) the first time a request goes to it.</summary>
    public MeshService Service => Volatile.Read(ref _service) ?? Resolve();

    private MeshService Resolve()
    {
        var service = _serviceOf(Name);
        Volatile.Write(ref _service, service);
        return service;
    }
}
