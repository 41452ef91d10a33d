namespace Mesh.Demo;

/// <summary>One endpoint's ejections (<c>mesh.endpoint.ejections</c>) over the whole run, and whether it is out now.</summary>
/// <param name="ByReason">Ejections by <c>mesh.ejection.reason</c>.</param>
/// <param name="Ejected">
/// True when an ejection was recorded and no attempt has started on the endpoint since; attempts resume with its probe.
/// </param>
internal sealed record EndpointEjections(IReadOnlyDictionary<string, long> ByReason, bool Ejected)
{
    public static readonly EndpointEjections None = new(new Dictionary<string, long>(), Ejected: false);

    public long Count => ByReason.Values.Sum();

    public string State => Ejected ? "ejected" : "ready";
}
