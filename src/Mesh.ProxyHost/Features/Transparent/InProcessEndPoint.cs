using System.Net;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// An endpoint with no socket behind it (<see cref="InProcessTransport"/> binds it): Kestrel builds an endpoint's
/// connection pipeline only for an endpoint it binds, and <see cref="Http2Handover"/> needs the pipeline, not the port.
/// </summary>
internal sealed class InProcessEndPoint(string name) : EndPoint
{
    /// <summary>Gets the endpoint's name, which Kestrel shows as its address (<c>http://name</c>).</summary>
    public string Name { get; } = name;

    public override string ToString() => Name;
}
