namespace Mesh.Timeouts;

/// <summary>
/// The deadline of the work in progress, flowing with the async context: an incoming request's deadline
/// (adopted by <c>app.UseMeshDeadlines()</c> or the sidecar) caps every Mesh call made while serving it,
/// so nested calls share the caller's remaining budget.
/// </summary>
public static class MeshDeadline
{
    private static readonly AsyncLocal<Deadline?> s_current = new();

    /// <summary>Gets the current deadline, if one was set in this async context.</summary>
    public static Deadline? Current => s_current.Value;

    /// <summary>Sets the deadline for this async context and what it calls; dispose the result to restore the previous one.</summary>
    public static Scope Begin(Deadline deadline)
    {
        var previous = s_current.Value;
        s_current.Value = deadline;
        return new Scope(previous);
    }

    /// <summary>Restores the deadline that was current before <see cref="Begin"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Deadline? _previous;

        internal Scope(Deadline? previous) => _previous = previous;

        /// <inheritdoc />
        public void Dispose() => s_current.Value = _previous;
    }
}

/// <summary>A point in time, on a <see cref="TimeProvider"/>'s timestamp scale, by which work must be done.</summary>
/// <param name="Time">The clock the timestamp belongs to.</param>
/// <param name="Timestamp">The deadline as a <see cref="TimeProvider.GetTimestamp"/> value.</param>
public sealed record Deadline(TimeProvider Time, long Timestamp)
{
    /// <summary>Creates the deadline <paramref name="budget"/> from now.</summary>
    public static Deadline After(TimeProvider time, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new(time, time.GetTimestamp() + (long)(budget.TotalSeconds * time.TimestampFrequency));
    }

    /// <summary>Gets the time left; zero or negative once the deadline has passed.</summary>
    public TimeSpan Remaining => TimeSpan.FromSeconds((double)(Timestamp - Time.GetTimestamp()) / Time.TimestampFrequency);
}
