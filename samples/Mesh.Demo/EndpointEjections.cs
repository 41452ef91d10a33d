namespace Mesh.Demo;

/// <summary>One endpoint's ejections (<c>mesh.endpoint.ejections</c>) over the whole run, and which Mesh runtimes have it out now.</summary>
/// <param name="ByReason">Ejections by <c>mesh.ejection.reason</c>, by both runtimes.</param>
/// <param name="EjectedBy">
/// The runtimes that recorded an ejection and have started no attempt on the endpoint since; attempts resume with its probe.
/// </param>
internal sealed record EndpointEjections(IReadOnlyDictionary<string, long> ByReason, EjectedBy EjectedBy)
{
    public static readonly EndpointEjections None = new(new Dictionary<string, long>(), EjectedBy.None);

    public long Count => ByReason.Values.Sum();

    public string State => EjectedBy switch
    {
        EjectedBy.None => "ready",
        EjectedBy.Client => "ejected by client",
        EjectedBy.Sidecar => "ejected by sidecar",
        _ => "ejected by both",
    };

    /// <summary>The ejections of one endpoint by both runtimes together.</summary>
    public EndpointEjections Add(EndpointEjections other)
    {
        var byReason = new Dictionary<string, long>(ByReason);
        foreach (var (reason, count) in other.ByReason)
        {
            byReason[reason] = byReason.GetValueOrDefault(reason) + count;
        }

        return new(byReason, EjectedBy | other.EjectedBy);
    }
}

/// <summary>The Mesh runtimes that have an endpoint ejected: each keeps its own failure accrual.</summary>
[Flags]
internal enum EjectedBy
{
    None = 0,

    /// <summary>The in-process Mesh client.</summary>
    Client = 1,

    /// <summary>The in-process sidecar (Mesh.ProxyHost).</summary>
    Sidecar = 2,
}
