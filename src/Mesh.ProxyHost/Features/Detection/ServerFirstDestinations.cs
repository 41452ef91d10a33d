using System.Collections.Concurrent;
using System.Net;

namespace Mesh.ProxyHost.Features.Detection;

/// <summary>
/// The destinations seen speaking first: a client connected, sent nothing for <c>Mesh:Proxy:DetectTimeout</c>, and the
/// server then sent its greeting (SMTP, MySQL, a banner) before the client said anything. Their next connections are
/// forwarded as opaque TCP at once instead of waiting again. A slow HTTP client is not mistaken for one: only the
/// server's speaking first puts a destination here. Bounded (<see cref="Capacity"/>; when full, the entries that
/// expire soonest go) and forgotten after <see cref="Lifetime"/>, so a destination that changes protocol is detected again.
/// </summary>
internal sealed class ServerFirstDestinations(TimeProvider time)
{
    /// <summary>The most destinations remembered at once.</summary>
    public const int Capacity = 4096;

    /// <summary>How long a destination is remembered after its server last spoke first.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<IPEndPoint, long> _until = new();

    public int Count => _until.Count;

    /// <summary>Gets whether <paramref name="destination"/>'s server was seen speaking first, not long ago.</summary>
    public bool Contains(IPEndPoint destination)
    {
        if (!_until.TryGetValue(destination, out var until))
        {
            return false;
        }

        if (time.GetTimestamp() < until)
        {
            return true;
        }

        _until.TryRemove(KeyValuePair.Create(destination, until));
        return false;
    }

    /// <summary>Remembers that <paramref name="destination"/>'s server spoke first.</summary>
    public void Remember(IPEndPoint destination)
    {
        if (_until.Count >= Capacity && !_until.ContainsKey(destination))
        {
            MakeRoom();
        }

        _until[destination] = time.GetTimestamp() + (long)(Lifetime.TotalSeconds * time.TimestampFrequency);
    }

    // Rare (thousands of server-first destinations within ten minutes): the expired go, then the oldest quarter.
    private void MakeRoom()
    {
        var now = time.GetTimestamp();
        foreach (var (destination, until) in _until)
        {
            if (until <= now)
            {
                _until.TryRemove(KeyValuePair.Create(destination, until));
            }
        }

        if (_until.Count < Capacity)
        {
            return;
        }

        foreach (var (destination, until) in _until.OrderBy(static e => e.Value).Take(Capacity / 4).ToList())
        {
            _until.TryRemove(KeyValuePair.Create(destination, until));
        }
    }
}
