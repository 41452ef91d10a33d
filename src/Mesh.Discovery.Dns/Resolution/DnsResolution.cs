using System.Net;

namespace Mesh.Discovery.Dns.Resolution;

/// <summary>What one lookup found: the endpoints, and the shortest TTL among the records they came from.</summary>
/// <param name="Endpoints">Addresses with ports, without duplicates.</param>
/// <param name="Ttl">The shortest TTL of the records used, before <see cref="TtlPolicy"/> clamps it.</param>
internal readonly record struct DnsResolution(IReadOnlyList<IPEndPoint> Endpoints, TimeSpan Ttl);
