namespace Mesh.Bodies;

/// <summary>How a response body watched by <see cref="ResponseEndContent"/> ended.</summary>
internal enum ResponseEnd
{
    /// <summary>Read to its end: the trailers, if any, have arrived.</summary>
    Completed,

    /// <summary>Reading it failed: the stream was reset or the connection broke.</summary>
    Failed,

    /// <summary>Disposed before its end: the caller stopped reading (a cancelled call).</summary>
    Abandoned,
}
