namespace Mesh.Demo;

/// <summary>Concurrent callers, each sending <c>GET /work</c> one after another until told to stop.</summary>
internal sealed class TrafficDriver(HttpClient client, int concurrency)
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(2);
    private static readonly Uri WorkPath = new("/work", UriKind.Relative);

    private long _sent;
    private long _succeeded;
    private long _exceptions;
    private long _windowSent;
    private long _windowSucceeded;

    public long Sent => Interlocked.Read(ref _sent);

    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Requests that threw instead of returning a response (counted as failures).</summary>
    public long Exceptions => Interlocked.Read(ref _exceptions);

    /// <summary>Returns the requests sent and succeeded since the last call, as the callers saw them.</summary>
    public (long Sent, long Succeeded) TakeWindow() =>
        (Interlocked.Exchange(ref _windowSent, 0), Interlocked.Exchange(ref _windowSucceeded, 0));

    /// <summary>
    /// Runs until <paramref name="stopping"/> fires. Requests in flight then get a grace period to finish,
    /// so the last second is not full of cancelled attempts; after it they are cancelled.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var abort = new CancellationTokenSource();
        using var graceful = stopping.Register(static state => ((CancellationTokenSource)state!).CancelAfter(GracePeriod), abort);
        var loops = new Task[concurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = LoopAsync(stopping, abort.Token);
        }

        await Task.WhenAll(loops);
    }

    private async Task LoopAsync(CancellationToken stopping, CancellationToken abort)
    {
        await Task.Yield();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(WorkPath, abort);
                Interlocked.Increment(ref _sent);
                Interlocked.Increment(ref _windowSent);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _succeeded);
                    Interlocked.Increment(ref _windowSucceeded);
                }
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Whatever went wrong, the caller saw a failed request; keep calling.
                Interlocked.Increment(ref _sent);
                Interlocked.Increment(ref _windowSent);
                Interlocked.Increment(ref _exceptions);
            }
        }
    }
}
