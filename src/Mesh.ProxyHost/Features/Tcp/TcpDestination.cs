using System.Net;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// Where an opaque TCP connection goes: a configured service (<see cref="Service"/> set: balanced over its endpoints),
/// or one address (the original destination the application dialled, or the local application's port).
/// </summary>
/// <param name="Direction"><c>outbound</c> or <c>inbound</c>.</param>
/// <param name="MetricName">The <c>mesh.service</c> of its metrics.</param>
/// <param name="Display">What the tap and logs call the destination: the address dialled, or the service.</param>
/// <param name="Address">The one address to connect to, when no service claims the connection.</param>
/// <param name="Service">The configured service whose endpoints the connection is balanced over.</param>
internal sealed record TcpDestination(string Direction, string MetricName, string Display, IPEndPoint? Address, MeshService? Service);
