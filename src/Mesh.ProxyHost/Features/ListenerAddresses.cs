using System.Collections;
using Mesh.ProxyHost.Features.Transparent;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Mesh.ProxyHost.Features;

/// <summary>
/// The server's addresses as the host reads them (<see cref="IServerAddressesFeature"/>, each logged at start as "Now
/// listening on: ..."): the sidecar's listeners, without the in-process endpoint of <see cref="Http2Handover"/>, which
/// has no socket and no client can reach. Kestrel keeps its own list and binds from it; this view stands in for it in
/// the server's features, so an operator reading the start-up log sees exactly the listeners configured.
/// </summary>
internal sealed class ListenerAddresses(IServerAddressesFeature server) : IServerAddressesFeature, ICollection<string>
{
    public ICollection<string> Addresses => this;

    public bool PreferHostingUrls
    {
        get => server.PreferHostingUrls;
        set => server.PreferHostingUrls = value;
    }

    public int Count => server.Addresses.Count(static a => !IsInProcess(a));

    public bool IsReadOnly => server.Addresses.IsReadOnly;

    public void Add(string item) => server.Addresses.Add(item);

    public void Clear() => server.Addresses.Clear();

    public bool Contains(string item) => !IsInProcess(item) && server.Addresses.Contains(item);

    public void CopyTo(string[] array, int arrayIndex)
    {
        foreach (var address in this)
        {
            array[arrayIndex++] = address;
        }
    }

    public bool Remove(string item) => server.Addresses.Remove(item);

    public IEnumerator<string> GetEnumerator() => server.Addresses.Where(static a => !IsInProcess(a)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Kestrel shows an endpoint that is not an IP address, a Unix socket or a pipe as scheme://endpoint.
    private static bool IsInProcess(string address) => address.EndsWith("://" + Http2Handover.EndPoint.Name, StringComparison.Ordinal);
}
