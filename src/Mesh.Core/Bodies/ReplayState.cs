namespace Mesh.Bodies;

/// <summary>Where a <see cref="ReplayableContent"/> stands: whether its body can be sent (again).</summary>
internal enum ReplayState
{
    /// <summary>Not sent yet: the first send reads the source.</summary>
    NotSent,

    /// <summary>Being sent for the first time, and copied into the buffer as it goes.</summary>
    Sending,

    /// <summary>Read to its end within the capacity: every later send writes the buffer.</summary>
    Buffered,

    /// <summary>Past the capacity, short of its length, or its source failed: never sent again.</summary>
    NotReplayable,
}
