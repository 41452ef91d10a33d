namespace Mesh.Testing;

/// <summary>Sends a fixed number of requests with fixed concurrency and tallies what the callers saw.</summary>
public static class Load
{
    public sealed record Result(int Succeeded, int FailedResponses, IReadOnlyList<Exception> Exceptions)
    {
        public int Total => Succeeded + FailedResponses + Exceptions.Count;
    }

    public static async Task<Result> SendAsync(int requests, int concurrency, Func<int, Task<HttpResponseMessage>> send)
    {
        var next = -1;
        var ok = 0;
        var failed = 0;
        var exceptions = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                try
                {
                    using var response = await send(i);
                    Interlocked.Increment(ref response.IsSuccessStatusCode ? ref ok : ref failed);
                }
                catch (Exception ex)
                {
                    exceptions.Enqueue(ex);
                }
            }
        }));
        return new Result(ok, failed, exceptions.ToList());
    }
}
