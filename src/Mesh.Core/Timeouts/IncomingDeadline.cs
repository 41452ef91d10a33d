namespace Mesh.Timeouts;

/// <summary>
/// The deadline an incoming request carries (the tighter of <c>mesh-timeout-ms</c> and <c>grpc-timeout</c>), adopted for
/// the work of serving it: the one helper behind <c>UseMeshDeadlines()</c> and the sidecar's inbound listener, which
/// both answer 504 at once when it has passed on arrival (<see cref="HasPassed"/>) and otherwise make it the ambient
/// <see cref="MeshDeadline"/> (<see cref="Begin"/>), so calls made while serving share what is left.
/// </summary>
public readonly struct IncomingDeadline
{
    /// <summary>The one-line reason both answer with when the deadline had passed on arrival.</summary>
    public const string PassedMessage = "the request's deadline had passed when it arrived.";

    private readonly TimeProvider? _time;

    private IncomingDeadline(TimeProvider time, TimeSpan budget)
    {
        _time = time;
        Budget = budget;
    }

    /// <summary>Gets whether the request carried a (well-formed) deadline at all.</summary>
    public bool IsPresent => _time is not null;

    /// <summary>Gets whether the deadline had passed by the time the request arrived: it is answered 504 without work.</summary>
    public bool HasPassed => IsPresent && Budget <= TimeSpan.Zero;

    /// <summary>Gets the time the caller left for the request.</summary>
    public TimeSpan Budget { get; }

    /// <summary>Reads the deadline of a request from its header values (malformed ones are ignored).</summary>
    public static IncomingDeadline Read(string? meshTimeout, string? grpcTimeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return DeadlineHeaders.Read(meshTimeout, grpcTimeout) is { } budget ? new IncomingDeadline(time, budget) : default;
    }

    /// <summary>Makes the deadline the ambient one for the work of serving the request; dispose to restore the previous.</summary>
    public MeshDeadline.Scope Begin() =>
        _time is { } time ? MeshDeadline.Begin(Deadline.After(time, Budget)) : throw new InvalidOperationException("Mesh: the request carries no deadline.");
}
