using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// A connection that did not come to the sidecar by the application's choice: netfilter redirected it (its original
/// destination is <see cref="Address"/>), or a <c>CONNECT</c> opened it as a tunnel (to an address, or to the configured
/// <see cref="Service"/> it named). The HTTP requests it carries are routed by it (<see cref="Outbound.OutboundProxy"/>,
/// <see cref="Inbound.InboundProxy"/>); a connection without one is explicit mode, as before interception.
/// </summary>
/// <param name="direction"><c>outbound</c> or <c>inbound</c>.</param>
/// <param name="address">Where the application was going; null for a tunnel to a service.</param>
/// <param name="service">The configured service the destination belongs to, if any.</param>
/// <param name="name">What a tunnel's CONNECT called an address it resolved (<c>host:port</c>), if it named one.</param>
internal sealed class InterceptedConnection(string direction, IPEndPoint? address, string? service, string? name = null)
{
    public string Direction { get; } = direction;

    public IPEndPoint? Address { get; } = address;

    public string? Service { get; } = service;

    private const string ItemKey = "mesh.intercepted";

    /// <summary>Gets what the destination is called in logs, the tap and opaque TCP's metrics: the name a CONNECT gave it, the address, or the service.</summary>
    public string Display => name ?? Address?.ToString() ?? Service ?? "";

    private (string Authority, string Name)? _implicitName;

    public void AttachTo(ConnectionContext connection) => connection.Items[ItemKey] = this;

    /// <summary>
    /// Gets the name of the implicit service for requests with <paramref name="authority"/> on this connection
    /// (<see cref="ImplicitServices.NameOf"/>), made once per connection rather than per request.
    /// </summary>
    public string ImplicitServiceName(string authority)
    {
        if (_implicitName is { } last && string.Equals(last.Authority, authority, StringComparison.Ordinal))
        {
            return last.Name;
        }

        var name = ImplicitServices.NameOf(authority, Address!);
        _implicitName = (authority, name);
        return name;
    }

    /// <summary>Gets the intercepted connection of <paramref name="connection"/>, or null in explicit mode.</summary>
    public static InterceptedConnection? Of(ConnectionContext connection) =>
        connection.Items.TryGetValue(ItemKey, out var value) ? value as InterceptedConnection : null;

    /// <summary>Gets the intercepted connection of the request's connection, or null in explicit mode.</summary>
    public static InterceptedConnection? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var value) == true ? value as InterceptedConnection : null;
}
