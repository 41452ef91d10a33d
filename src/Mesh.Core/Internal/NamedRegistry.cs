namespace Mesh.Internal;

/// <summary>
/// The extension points configuration refers to by name (<c>LoadBalancer</c>, <c>FailureAccrual:Policy</c>): the
/// built-in factories plus those an application registers, looked up case-insensitively. A registration under a
/// built-in name replaces the built-in. The validator lists <see cref="Names"/> when a configured name is unknown.
/// </summary>
/// <typeparam name="TFactory">What a name resolves to: a factory of the extension.</typeparam>
internal class NamedRegistry<TFactory>
    where TFactory : class
{
    private readonly string _kind;
    private readonly Dictionary<string, TFactory> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="kind">What the registry holds, for error messages: "load balancer".</param>
    /// <param name="builtIns">The built-in names and factories.</param>
    /// <param name="registrations">The application's, which win over a built-in of the same name.</param>
    protected NamedRegistry(string kind, IEnumerable<KeyValuePair<string, TFactory>> builtIns, IEnumerable<KeyValuePair<string, TFactory>> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        _kind = kind;
        foreach (var (name, factory) in builtIns.Concat(registrations))
        {
            _factories[name] = factory;
        }
    }

    /// <summary>Gets the names configuration may use.</summary>
    public IEnumerable<string> Names => _factories.Keys;

    /// <summary>Whether <paramref name="name"/> is registered.</summary>
    public bool Contains(string? name) => name is not null && _factories.ContainsKey(name);

    /// <summary>Gets the factory registered as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No factory has that name (the validator keeps such names out of configuration).</exception>
    protected TFactory Get(string name) =>
        _factories.TryGetValue(name, out var factory)
            ? factory
            : throw new ArgumentException($"No {_kind} named '{name}'.", nameof(name));
}
