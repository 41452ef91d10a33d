namespace Mesh.Bodies;

/// <summary>What is told, once, how a response body watched by <see cref="ResponseEndContent"/> ended.</summary>
internal interface IResponseEndObserver
{
    /// <summary>
    /// The body ended as <paramref name="end"/> says (with <paramref name="error"/> when it failed), after
    /// <paramref name="read"/> bytes were read from it and, on an upgraded connection, <paramref name="written"/> written to it.
    /// </summary>
    void Ended(ResponseEnd end, Exception? error, long read, long written);
}
