namespace Mesh.Discovery.Dns.Tests.Infrastructure;

/// <summary>Steady traffic from a few concurrent callers (each pausing 2 ms between requests) until stopped, counting what failed.</summary>
public sealed class Load : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _workers;
    private int _sent;
    private int _failed;
    private string? _firstFailure;

    public Load(HttpClient client, int workers = 4)
    {
        _workers = Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri("/work", UriKind.Relative), CancellationToken.None);
                    if (!response.IsSuccessStatusCode)
                    {
                        Fail($"status {(int)response.StatusCode}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
                {
                    Fail(ex.Message);
                }

                Interlocked.Increment(ref _sent);

                // A few thousand requests a second at most: plenty to see where traffic goes, and it leaves the
                // machine's two cores to the test assemblies running beside this one.
                await Task.Delay(TimeSpan.FromMilliseconds(2));
            }
        })));
    }

    public int Sent => Volatile.Read(ref _sent);

    public int Failed => Volatile.Read(ref _failed);

    public string? FirstFailure => _firstFailure;

    /// <summary>Waits until <paramref name="count"/> more requests have been sent.</summary>
    public Task MoreAsync(int count)
    {
        var target = Sent + count;
        return Eventually.TrueAsync(() => Sent >= target, $"{count} more requests are sent");
    }

    /// <summary>
    /// Whether <paramref name="backend"/> got none of the next <paramref name="count"/> requests. Progress is counted in
    /// requests, not time, so a pause of the whole load (a GC, a busy machine) cannot pass for a quiet backend.
    /// </summary>
    public async Task<bool> NoneOfTheNextReachAsync(TestBackend backend, int count)
    {
        var before = backend.Requests;
        await MoreAsync(count);
        return backend.Requests == before;
    }

    private void Fail(string why)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.CompareExchange(ref _firstFailure, why, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _workers;
    }
}
