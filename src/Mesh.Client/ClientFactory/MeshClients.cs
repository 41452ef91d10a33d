namespace Mesh.Client.ClientFactory;

/// <summary>
/// The clients <c>AddMesh</c> was called on, checked at start (<see cref="MeshClientsValidator"/>): a name per
/// <c>IHttpClientBuilder</c>, and null for <c>ConfigureHttpClientDefaults</c>, which meshes every client.
/// </summary>
internal sealed class MeshClients
{
    /// <summary>Gets the names of the clients meshed; null stands for every client.</summary>
    public HashSet<string?> Names { get; } = [];

    /// <summary>Gets or sets whether some client takes its service from each request's host (<c>AddMesh()</c>).</summary>
    public bool ServiceFromHost { get; set; }
}
