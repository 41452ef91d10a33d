namespace Mesh.Classification;

/// <summary>
/// The verdict Mesh reached on a request that failed with an exception, carried by the exception itself: the
/// classification reason of its final outcome (<c>connect_error</c>, <c>timeout</c>, <c>overloaded</c>,
/// <c>no_endpoints</c>, ...), the same value its metrics and span carry. The sidecar answers from it; an application
/// can read it to tell why a call failed without matching exception types.
/// </summary>
public static class MeshFailure
{
    private const string Key = "Mesh.Reason";

    /// <summary>Gets the reason Mesh classified <paramref name="exception"/>'s request with; null if Mesh did not.</summary>
    public static string? ReasonOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Data[Key] as string;
    }

    /// <summary>Marks <paramref name="exception"/> with the verdict on the request it ended (the failure path only).</summary>
    internal static void Mark(Exception exception, string reason) => exception.Data[Key] = reason;
}
