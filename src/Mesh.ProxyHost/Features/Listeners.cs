using System.Net;
using Mesh.ProxyHost.Configuration;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.ProxyHost.Features;

/// <summary>
/// The sidecar's listeners. Each connection is tagged with the listener that accepted it, so requests are routed by
/// listener and not by port (ports may be chosen by the OS); after start, each listener's bound port is known.
/// </summary>
internal sealed class Listeners(IEnumerable<KeyValuePair<string, ListenAddress>> configured)
{
    public const string Outbound = "outbound";
    public const string Inbound = "inbound";
    public const string Admin = "admin";

    private const string ItemKey = "mesh.listener";
    private readonly Dictionary<string, List<ListenOptions>> _bound = [];

    /// <summary>Gets the listeners that are on, by configuration key (<c>Mesh:Proxy:Outbound:Listen</c> → its address).</summary>
    public IReadOnlyList<KeyValuePair<string, ListenAddress>> Configured { get; } = [.. configured];

    /// <summary>Tags the connections of <paramref name="options"/> as <paramref name="listener"/>'s.</summary>
    public void Add(string listener, ListenOptions options)
    {
        if (!_bound.TryGetValue(listener, out var list))
        {
            _bound[listener] = list = [];
        }

        list.Add(options);
        options.Use(next => connection =>
        {
            connection.Items[ItemKey] = listener;
            return next(connection);
        });
    }

    /// <summary>Gets the listener that accepted the request's connection.</summary>
    public static string? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var name) == true ? name as string : null;

    /// <summary>
    /// Gets whether <paramref name="destination"/> is one of the sidecar's own listeners: an intercepted connection going
    /// there would come back to the sidecar (a loop), or reach through the inbound listener one that only this host
    /// may use (the outbound listener, the admin port).
    /// </summary>
    public bool IsOwn(IPEndPoint destination)
    {
        foreach (var list in _bound.Values)
        {
            foreach (var options in list)
            {
                if (options.IPEndPoint is { } bound && bound.Port == destination.Port &&
                    (bound.Address.Equals(destination.Address) || Transparent.LocalAddresses.Contains(destination.Address)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Gets whether a connection to <paramref name="destination"/>, an address of this host, would reach one of the
    /// sidecar's own listeners: one bound to that port on that address or on every address. Narrower than
    /// <see cref="IsOwn"/>, which takes any of the host's addresses on a listener's port for one.
    /// </summary>
    public bool Reaches(IPEndPoint destination)
    {
        foreach (var list in _bound.Values)
        {
            foreach (var options in list)
            {
                if (options.IPEndPoint is { } bound && bound.Port == destination.Port &&
                    (bound.Address.Equals(destination.Address) || bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Gets the ports a listener is bound to, once the server has started (an IPv6 twin's port once, with its IPv4 one's).</summary>
    public IReadOnlyList<int> Ports(string listener) =>
        _bound.TryGetValue(listener, out var list) ? list.Select(o => o.IPEndPoint?.Port ?? 0).Distinct().ToList() : [];
}
