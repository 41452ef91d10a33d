namespace Mesh.Discovery.Dns.Resolution;

/// <summary>When to look a service up again: at the TTL of its records, no sooner than the floor and no later than the ceiling.</summary>
internal static class TtlPolicy
{
    public static TimeSpan Clamp(TimeSpan ttl, TimeSpan floor, TimeSpan ceiling)
    {
        if (ttl < floor)
        {
            return floor;
        }

        return ttl > ceiling ? ceiling : ttl;
    }
}
