namespace Mesh.Internal;

/// <summary>Lock-free updates the atomic primitives lack.</summary>
internal static class Atomic
{
    /// <summary>Raises <paramref name="location"/> to <paramref name="value"/> unless it holds more already.</summary>
    public static void Max(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
