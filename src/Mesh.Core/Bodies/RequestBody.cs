namespace Mesh.Bodies;

/// <summary>Decides, once per request, whether its body can be sent more than once, wrapping it for replay when needed.</summary>
internal static class RequestBody
{
    /// <summary>
    /// Prepares <paramref name="request"/> for possible retries. Returns the replay wrapper when the body is streamed,
    /// and sets <paramref name="replayable"/> for bodies whose fate is known now: none, in memory within the cap (true),
    /// or declared larger than the cap (false; with <paramref name="counted"/>, wrapped only to count its bytes as they
    /// pass, since a body is counted where it streams).
    /// </summary>
    public static ReplayableContent? Prepare(HttpRequestMessage request, int capacity, CancellationToken callerToken, bool counted, out bool replayable)
    {
        var content = request.Content;
        replayable = true;
        if (content is null)
        {
            return null;
        }

        if (content.Headers.ContentLength is { } length && length > capacity)
        {
            replayable = false;
            if (!counted || content is ByteArrayContent or ReadOnlyMemoryContent)
            {
                return null;
            }

            var counter = new ReplayableContent(content, capacity, callerToken, replayable: false);
            request.Content = counter;
            return counter;
        }

        // Bodies already in memory serialize from their own buffer every time.
        if (content is ByteArrayContent or ReadOnlyMemoryContent)
        {
            return null;
        }

        var wrapper = new ReplayableContent(content, capacity, callerToken);
        request.Content = wrapper;
        return wrapper;
    }
}
