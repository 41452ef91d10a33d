namespace Mesh.Internal;

/// <summary>
/// A seeded source of the uniform draws Mesh makes (the split's picks, jitter), registered in place of
/// <see cref="Random.Shared"/> by tests that must be repeatable: fake only time and randomness.
/// </summary>
internal sealed class MeshRandom(int seed)
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    /// <summary>A uniform draw in [0, 1); the sequence is the seed's whatever the threads asking.</summary>
    public double Next()
    {
        lock (_lock)
        {
            return _random.NextDouble();
        }
    }
}
